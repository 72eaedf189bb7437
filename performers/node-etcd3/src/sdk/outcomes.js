'use strict';
// The performer's own failure kinds (everything else a command throws is either the
// SDK's error, wrapped in SdkRaised by Timer.call, or a performer bug -> INTERNAL).

// The SDK (or this performer) cannot express the command or option -> UNIMPLEMENTED.
class Unimplemented extends Error {}

// The request itself is malformed (unknown watch handle, empty command) -> BAD_REQUEST.
class BadRequest extends Error {}

// An SDK promise or event that never settled within the performer's own deadline
// (streams carry no gRPC deadline) -> INTERNAL, with the SDK call named.
class PerformerTimeout extends Error {}

// An SDK call that has no deadline of its own (a stream: Lease.keepaliveOnce on 0.x, a
// Watcher waiting for 'connected') did not settle within request_timeout_ms: the
// performer-side deadline the guide asks for -> sdk_error DEADLINE_EXCEEDED with
// sdk_type "performer-deadline" (errors.js).
class PerformerDeadline extends Error {}

// Wraps anything the SDK threw or rejected with during a call -> sdk_error.
class SdkRaised extends Error {
  constructor(original) {
    super(original && original.message);
    this.original = original;
  }
}

function isPerformerError(e) {
  return e instanceof Unimplemented || e instanceof BadRequest || e instanceof PerformerTimeout ||
    e instanceof PerformerDeadline || e instanceof SdkRaised;
}

module.exports = { Unimplemented, BadRequest, PerformerTimeout, PerformerDeadline, SdkRaised, isPerformerError };
