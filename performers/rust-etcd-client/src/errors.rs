//! Mapping of etcd-client errors onto the protocol's canonical SdkError.
//!
//! Order: the SDK's own error variant first (etcd_client::Error), then, for a
//! gRPC status, etcd's message text (the server's rpctypes messages) and finally
//! the gRPC code. `message` is the SDK error's Display, verbatim; `sdk_type` names
//! the variant; `grpc_code` is the status code when the SDK kept one, else -1.

use crate::pb::{ErrorCode, SdkError};
use etcd_client::Error;
use tonic::Code;

/// etcd's server error messages (server/etcdserver/api/v3rpc/rpctypes/error.go)
/// and the canonical code each one means. Matched as substrings of the status
/// message, most specific first.
const ETCD_MESSAGES: &[(&str, ErrorCode)] = &[
    ("mvcc: required revision has been compacted", ErrorCode::Compacted),
    ("mvcc: required revision is a future revision", ErrorCode::FutureRevision),
    ("requested lease not found", ErrorCode::LeaseNotFound),
    ("duplicate key given in txn request", ErrorCode::DuplicateKey),
    ("too many operations in txn request", ErrorCode::TooManyOps),
    ("request is too large", ErrorCode::RequestTooLarge),
    ("key is not provided", ErrorCode::EmptyKey),
    ("etcdserver: key not found", ErrorCode::KeyNotFound),
    ("lease already exists", ErrorCode::LeaseExists),
    ("too large lease TTL", ErrorCode::LeaseTtlTooLarge),
    ("value is provided", ErrorCode::ValueProvided),
    ("lease is provided", ErrorCode::LeaseProvided),
    ("permission denied", ErrorCode::PermissionDenied),
    ("authentication failed, invalid user ID or password", ErrorCode::AuthFailed),
];

/// The canonical code of a gRPC status by etcd's message text, then by its code.
pub fn status_code(code: Code, message: &str) -> ErrorCode {
    if let Some(c) = code_by_message(message) {
        return c;
    }
    match code {
        Code::InvalidArgument => ErrorCode::InvalidArgument,
        Code::DeadlineExceeded => ErrorCode::DeadlineExceeded,
        Code::Unavailable => ErrorCode::Unavailable,
        // tonic reports its own per-request timeout (ConnectOptions::with_timeout,
        // tonic::transport::Endpoint::timeout) as Cancelled "Timeout expired".
        Code::Cancelled if message.contains("Timeout expired") => ErrorCode::DeadlineExceeded,
        Code::Cancelled => ErrorCode::Canceled,
        Code::PermissionDenied => ErrorCode::PermissionDenied,
        Code::Unauthenticated => ErrorCode::AuthFailed,
        // gRPC's own message-size limit is the same failure as etcd's
        // max-request-bytes check: the request is too large.
        Code::ResourceExhausted if message.contains("larger than max") => ErrorCode::RequestTooLarge,
        _ => ErrorCode::Unknown,
    }
}

/// The canonical code of an etcd server message, if it is one of etcd's.
pub fn code_by_message(message: &str) -> Option<ErrorCode> {
    ETCD_MESSAGES
        .iter()
        .find(|(text, _)| message.contains(text))
        .map(|(_, code)| *code)
}

/// The name of an etcd_client::Error variant, as sdk_type
/// ("etcd_client::Error::GRpcStatus"). Read from the derived Debug output, so it
/// holds for every SDK version (the variant set differs: 0.17 has
/// InvalidHeaderValue, 0.18+ InvalidMetadataValue and Internal).
pub fn variant_name(err: &Error) -> String {
    let debug = format!("{err:?}");
    let name: String = debug.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    if name.is_empty() {
        "etcd_client::Error".to_string()
    } else {
        format!("etcd_client::Error::{name}")
    }
}

/// Turns an error returned by the SDK into the canonical SdkError.
pub fn map_error(err: &Error) -> SdkError {
    let (code, grpc_code) = match err {
        Error::GRpcStatus(status) => {
            // The status is of the SDK's tonic, which for older SDK lines is not
            // this performer's tonic (feature sdk-own-tonic): compare codes by number.
            let grpc = status.code() as i32;
            (status_code(Code::from_i32(grpc), status.message()), grpc)
        }
        Error::InvalidArgs(_) | Error::InvalidUri(_) => (ErrorCode::InvalidArgument, -1),
        // LeaseClient::keep_alive turns a first keep-alive response with TTL <= 0
        // (etcd's answer for an unknown lease) into LeaseKeepAliveError("lease not found").
        Error::LeaseKeepAliveError(msg) if msg.contains("lease not found") => (ErrorCode::LeaseNotFound, -1),
        Error::TransportError(_) | Error::IoError(_) => (ErrorCode::Unavailable, -1),
        other => (code_by_message(&other.to_string()).unwrap_or(ErrorCode::Unknown), -1),
    };
    SdkError {
        code: code as i32,
        sdk_type: variant_name(err),
        message: err.to_string(),
        grpc_code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // The tonic etcd-client links (see Cargo.toml, feature sdk-own-tonic).
    #[cfg(feature = "sdk-own-tonic")]
    use sdk_tonic as etcd_tonic;
    #[cfg(not(feature = "sdk-own-tonic"))]
    use tonic as etcd_tonic;
    use etcd_tonic::Status;

    fn grpc(code: Code, msg: &str) -> Error {
        Error::GRpcStatus(Status::new(etcd_tonic::Code::from_i32(code as i32), msg))
    }

    #[test]
    fn etcd_server_errors_map_by_message() {
        let cases: &[(Code, &str, ErrorCode)] = &[
            (Code::OutOfRange, "etcdserver: mvcc: required revision has been compacted", ErrorCode::Compacted),
            (Code::OutOfRange, "etcdserver: mvcc: required revision is a future revision", ErrorCode::FutureRevision),
            (Code::NotFound, "etcdserver: requested lease not found", ErrorCode::LeaseNotFound),
            (Code::InvalidArgument, "etcdserver: duplicate key given in txn request", ErrorCode::DuplicateKey),
            (Code::InvalidArgument, "etcdserver: too many operations in txn request", ErrorCode::TooManyOps),
            (Code::InvalidArgument, "etcdserver: request is too large", ErrorCode::RequestTooLarge),
            (Code::InvalidArgument, "etcdserver: key is not provided", ErrorCode::EmptyKey),
            (Code::InvalidArgument, "etcdserver: key not found", ErrorCode::KeyNotFound),
            (Code::FailedPrecondition, "etcdserver: lease already exists", ErrorCode::LeaseExists),
            (Code::OutOfRange, "etcdserver: too large lease TTL", ErrorCode::LeaseTtlTooLarge),
            (Code::InvalidArgument, "etcdserver: value is provided", ErrorCode::ValueProvided),
            (Code::InvalidArgument, "etcdserver: lease is provided", ErrorCode::LeaseProvided),
            (Code::PermissionDenied, "etcdserver: permission denied", ErrorCode::PermissionDenied),
            (Code::InvalidArgument, "etcdserver: authentication failed, invalid user ID or password", ErrorCode::AuthFailed),
        ];
        for (code, msg, want) in cases {
            let e = map_error(&grpc(*code, msg));
            assert_eq!(e.code, *want as i32, "{msg}");
            assert_eq!(e.grpc_code, *code as i32, "{msg}");
            assert_eq!(e.sdk_type, "etcd_client::Error::GRpcStatus");
            assert!(e.message.contains(msg), "message kept verbatim: {}", e.message);
        }
    }

    #[test]
    fn grpc_codes_map_when_the_message_is_not_etcds() {
        let cases: &[(Code, &str, ErrorCode)] = &[
            (Code::InvalidArgument, "etcdserver: some new check", ErrorCode::InvalidArgument),
            (Code::Unavailable, "tcp connect error", ErrorCode::Unavailable),
            (Code::DeadlineExceeded, "context deadline exceeded", ErrorCode::DeadlineExceeded),
            (Code::Cancelled, "Timeout expired", ErrorCode::DeadlineExceeded),
            (Code::Cancelled, "context canceled", ErrorCode::Canceled),
            (Code::Unauthenticated, "etcdserver: invalid auth token", ErrorCode::AuthFailed),
            (Code::ResourceExhausted, "grpc: received message larger than max (5 vs. 4)", ErrorCode::RequestTooLarge),
            (Code::ResourceExhausted, "something else", ErrorCode::Unknown),
            (Code::Internal, "boom", ErrorCode::Unknown),
        ];
        for (code, msg, want) in cases {
            assert_eq!(map_error(&grpc(*code, msg)).code, *want as i32, "{code:?} {msg}");
        }
    }

    #[test]
    fn sdk_variants_map_without_a_grpc_code() {
        let e = map_error(&Error::LeaseKeepAliveError("lease not found".into()));
        assert_eq!(e.code, ErrorCode::LeaseNotFound as i32);
        assert_eq!(e.grpc_code, -1);
        assert_eq!(e.sdk_type, "etcd_client::Error::LeaseKeepAliveError");
        assert_eq!(e.message, "lease keep alive error: lease not found");

        let e = map_error(&Error::InvalidArgs("empty endpoints".into()));
        assert_eq!(e.code, ErrorCode::InvalidArgument as i32);

        let e = map_error(&Error::WatchError("failed to create watch".into()));
        assert_eq!(e.code, ErrorCode::Unknown as i32);
        assert_eq!(e.sdk_type, "etcd_client::Error::WatchError");

        let e = map_error(&Error::IoError(std::io::Error::other("x")));
        assert_eq!(e.sdk_type, "etcd_client::Error::IoError");
        assert_eq!(e.code, ErrorCode::Unavailable as i32);
    }
}
