//! Mapping of etcd-client errors onto the protocol's canonical SdkError.
//!
//! Order: the SDK's own error variant first (etcd_client::Error), then, for a
//! gRPC status, etcd's message text (etcd's error table, gen/etcd_errors.tsv) and
//! finally the gRPC code. `message` is the SDK error's Display, verbatim; `sdk_type` names
//! the variant; `grpc_code` is the status code when the SDK kept one, else -1.

use crate::pb::{ErrorCode, SdkError};
use etcd_client::Error;
use std::sync::OnceLock;
use tonic::Code;

/// etcd's error table: gen/etcd_errors.tsv, the copy protos/generate.sh makes of
/// protos/etcdfit/performer/v1/etcd_errors.tsv (build.sh copies gen/ into the build
/// copy beside src/). Format: '#' comments, blank lines, and rows of
/// code TAB grpc_status TAB message.
const ERROR_TABLE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/gen/etcd_errors.tsv"));

/// gRPC's status code names, indexed by code.
const GRPC_NAMES: [&str; 17] = [
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
    "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
];

/// One row of etcd's error table.
#[derive(Debug)]
pub struct EtcdMessage {
    pub code: ErrorCode,
    /// The status code etcd sends the message with.
    #[allow(dead_code)] // read by the tests
    pub grpc: Code,
    /// The message exactly as etcd sends it.
    #[allow(dead_code)] // read by the tests
    pub message: String,
    /// The message without its leading "etcdserver: ": what an SDK error must contain.
    pub text: String,
}

/// Parses the table's format (see ERROR_TABLE).
pub fn parse_error_table(tsv: &str) -> Result<Vec<EtcdMessage>, String> {
    let mut rows = Vec::new();
    for (i, line) in tsv.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |what: &str| format!("etcd_errors.tsv line {}: {what}: {line:?}", i + 1);
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 3 || f[2].is_empty() {
            return Err(bad("want code TAB grpc_status TAB message"));
        }
        let code = ErrorCode::from_str_name(f[0]).ok_or_else(|| bad("not an ErrorCode"))?;
        let grpc = GRPC_NAMES
            .iter()
            .position(|n| *n == f[1])
            .map(|n| Code::from_i32(n as i32))
            .ok_or_else(|| bad("not a gRPC status code"))?;
        rows.push(EtcdMessage {
            code,
            grpc,
            message: f[2].to_string(),
            text: f[2].strip_prefix("etcdserver: ").unwrap_or(f[2]).to_string(),
        });
    }
    if rows.is_empty() {
        return Err("etcd_errors.tsv has no rows".to_string());
    }
    Ok(rows)
}

/// etcd's error table, parsed once (main calls it at start-up, so a bad table
/// stops the performer before it serves anything).
pub fn etcd_messages() -> &'static [EtcdMessage] {
    static ROWS: OnceLock<Vec<EtcdMessage>> = OnceLock::new();
    ROWS.get_or_init(|| parse_error_table(ERROR_TABLE).unwrap_or_else(|e| panic!("{e}")))
}

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
        // tonic::transport::Endpoint::timeout) as Cancelled "Timeout expired": the SDK
        // says Cancelled, so this is CANCELED (a divergence the fault tests show; the
        // message and grpc_code 1 stay as the SDK gave them).
        Code::Cancelled => ErrorCode::Canceled,
        // A connection that broke under a call or stream comes through hyper/h2 as
        // Unknown ("h2 protocol error: error reading a body from connection", source
        // BrokenPipe / ConnectionReset): the error says the transport failed.
        Code::Unknown if is_transport_failure(message) => ErrorCode::Unavailable,
        Code::PermissionDenied => ErrorCode::PermissionDenied,
        Code::Unauthenticated => ErrorCode::AuthFailed,
        // gRPC's own message-size limit is the same failure as etcd's
        // max-request-bytes check: the request is too large.
        Code::ResourceExhausted if message.contains("larger than max") => ErrorCode::RequestTooLarge,
        _ => ErrorCode::Unknown,
    }
}

/// Texts of tonic/hyper/h2 errors that mean the connection under a call failed
/// (matched against the status's Display, which includes its source chain).
const TRANSPORT_FAILURES: &[&str] = &[
    "error reading a body from connection",
    "connection reset",
    "ConnectionReset",
    "broken pipe",
    "BrokenPipe",
    "connection closed",
    "ConnectionAborted",
    "UnexpectedEof",
];

/// Whether an Unknown status's text names a failed connection.
pub fn is_transport_failure(message: &str) -> bool {
    TRANSPORT_FAILURES.iter().any(|t| message.contains(t))
}

/// The canonical code of an etcd server message, if it is one of etcd's.
/// The first row of etcd's error table whose text the message contains wins.
pub fn code_by_message(message: &str) -> Option<ErrorCode> {
    etcd_messages().iter().find(|row| message.contains(row.text.as_str())).map(|row| row.code)
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
            let code = match status_code(Code::from_i32(grpc), status.message()) {
                // The status's own message may be terse ("h2 protocol error: ..."); its
                // Display carries the source chain (BrokenPipe, ConnectionReset, ...).
                ErrorCode::Unknown if grpc == Code::Unknown as i32 && is_transport_failure(&err.to_string()) => {
                    ErrorCode::Unavailable
                }
                c => c,
            };
            (code, grpc)
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
        typed: is_typed(err),
    }
}

/// errors.typed: an etcd_client::Error variant of the SDK's own making is typed; a
/// raw tonic Status (GRpcStatus), tonic transport error (TransportError) or
/// std::io::Error (IoError) that the SDK only passed through is not.
pub fn is_typed(err: &Error) -> bool {
    !matches!(err, Error::GRpcStatus(_) | Error::TransportError(_) | Error::IoError(_))
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
            assert!(!e.typed, "a raw tonic Status is not typed");
            assert!(e.message.contains(msg), "message kept verbatim: {}", e.message);
        }
    }

    #[test]
    fn grpc_codes_map_when_the_message_is_not_etcds() {
        let cases: &[(Code, &str, ErrorCode)] = &[
            (Code::InvalidArgument, "etcdserver: some new check", ErrorCode::InvalidArgument),
            (Code::Unavailable, "tcp connect error", ErrorCode::Unavailable),
            (Code::DeadlineExceeded, "context deadline exceeded", ErrorCode::DeadlineExceeded),
            (Code::Cancelled, "Timeout expired", ErrorCode::Canceled),
            (Code::Cancelled, "context canceled", ErrorCode::Canceled),
            (Code::Unknown, "h2 protocol error: error reading a body from connection", ErrorCode::Unavailable),
            (Code::Unknown, "transport error: connection reset", ErrorCode::Unavailable),
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
        assert!(e.typed);

        let e = map_error(&Error::InvalidArgs("empty endpoints".into()));
        assert_eq!(e.code, ErrorCode::InvalidArgument as i32);

        let e = map_error(&Error::WatchError("failed to create watch".into()));
        assert_eq!(e.code, ErrorCode::Unknown as i32);
        assert_eq!(e.sdk_type, "etcd_client::Error::WatchError");

        let e = map_error(&Error::IoError(std::io::Error::other("x")));
        assert_eq!(e.sdk_type, "etcd_client::Error::IoError");
        assert_eq!(e.code, ErrorCode::Unavailable as i32);
        assert!(!e.typed, "a raw io error is not typed");
        assert!(map_error(&Error::InvalidArgs("x".into())).typed);
        assert!(map_error(&Error::WatchError("x".into())).typed);
    }

    #[test]
    fn error_table_loads_every_row_and_each_maps_to_its_code() {
        let rows = ERROR_TABLE.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).count();
        assert!(rows >= 20, "etcd_errors.tsv has only {rows} rows");
        assert_eq!(etcd_messages().len(), rows);
        for row in etcd_messages() {
            let e = map_error(&grpc(row.grpc, &row.message));
            assert_eq!(e.code, row.code as i32, "{}", row.message);
            assert_eq!(e.grpc_code, row.grpc as i32, "{}", row.message);
            // an SDK that drops etcd's "etcdserver: " prefix still matches the row
            assert_eq!(code_by_message(&format!("sdk: {}", row.text)), Some(row.code), "{}", row.text);
        }
        assert_eq!(code_by_message("mvcc: required revision has been compacted"), Some(ErrorCode::Compacted));
        for bad in ["NOPE\tOUT_OF_RANGE\tetcdserver: x", "COMPACTED\tNOPE\tetcdserver: x", "COMPACTED\tOUT_OF_RANGE", "# only a comment"] {
            assert!(parse_error_table(bad).is_err(), "{bad:?} accepted");
        }
    }
}
