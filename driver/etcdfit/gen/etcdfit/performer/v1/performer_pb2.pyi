from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProtocolVersion(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROTOCOL_VERSION_UNSPECIFIED: _ClassVar[ProtocolVersion]
    PROTOCOL_VERSION_1: _ClassVar[ProtocolVersion]

class RangeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RANGE_KIND_SINGLE: _ClassVar[RangeKind]
    RANGE_KIND_RANGE: _ClassVar[RangeKind]
    RANGE_KIND_PREFIX: _ClassVar[RangeKind]
    RANGE_KIND_FROM_KEY: _ClassVar[RangeKind]

class SortOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SORT_ORDER_NONE: _ClassVar[SortOrder]
    SORT_ORDER_ASCEND: _ClassVar[SortOrder]
    SORT_ORDER_DESCEND: _ClassVar[SortOrder]

class SortTarget(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SORT_TARGET_KEY: _ClassVar[SortTarget]
    SORT_TARGET_VERSION: _ClassVar[SortTarget]
    SORT_TARGET_CREATE: _ClassVar[SortTarget]
    SORT_TARGET_MOD: _ClassVar[SortTarget]
    SORT_TARGET_VALUE: _ClassVar[SortTarget]

class CompareResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPARE_RESULT_EQUAL: _ClassVar[CompareResult]
    COMPARE_RESULT_GREATER: _ClassVar[CompareResult]
    COMPARE_RESULT_LESS: _ClassVar[CompareResult]
    COMPARE_RESULT_NOT_EQUAL: _ClassVar[CompareResult]

class CompareTarget(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPARE_TARGET_VERSION: _ClassVar[CompareTarget]
    COMPARE_TARGET_CREATE: _ClassVar[CompareTarget]
    COMPARE_TARGET_MOD: _ClassVar[CompareTarget]
    COMPARE_TARGET_VALUE: _ClassVar[CompareTarget]
    COMPARE_TARGET_LEASE: _ClassVar[CompareTarget]

class WatchFilter(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WATCH_FILTER_UNSPECIFIED: _ClassVar[WatchFilter]
    WATCH_FILTER_NOPUT: _ClassVar[WatchFilter]
    WATCH_FILTER_NODELETE: _ClassVar[WatchFilter]

class ErrorCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_CODE_UNSPECIFIED: _ClassVar[ErrorCode]
    COMPACTED: _ClassVar[ErrorCode]
    FUTURE_REVISION: _ClassVar[ErrorCode]
    LEASE_NOT_FOUND: _ClassVar[ErrorCode]
    DUPLICATE_KEY: _ClassVar[ErrorCode]
    TOO_MANY_OPS: _ClassVar[ErrorCode]
    REQUEST_TOO_LARGE: _ClassVar[ErrorCode]
    PERMISSION_DENIED: _ClassVar[ErrorCode]
    AUTH_FAILED: _ClassVar[ErrorCode]
    UNAVAILABLE: _ClassVar[ErrorCode]
    DEADLINE_EXCEEDED: _ClassVar[ErrorCode]
    CANCELED: _ClassVar[ErrorCode]
    INVALID_ARGUMENT: _ClassVar[ErrorCode]
    UNKNOWN: _ClassVar[ErrorCode]
    EMPTY_KEY: _ClassVar[ErrorCode]
    KEY_NOT_FOUND: _ClassVar[ErrorCode]
    LEASE_EXISTS: _ClassVar[ErrorCode]
    LEASE_TTL_TOO_LARGE: _ClassVar[ErrorCode]
    VALUE_PROVIDED: _ClassVar[ErrorCode]
    LEASE_PROVIDED: _ClassVar[ErrorCode]
    NOT_LEADER: _ClassVar[ErrorCode]
    NO_LEADER: _ClassVar[ErrorCode]
    SESSION_EXPIRED: _ClassVar[ErrorCode]

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_PUT: _ClassVar[EventType]
    EVENT_TYPE_DELETE: _ClassVar[EventType]

class PermissionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PERMISSION_TYPE_READ: _ClassVar[PermissionType]
    PERMISSION_TYPE_WRITE: _ClassVar[PermissionType]
    PERMISSION_TYPE_READWRITE: _ClassVar[PermissionType]

class WorkloadOp(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WORKLOAD_OP_UNSPECIFIED: _ClassVar[WorkloadOp]
    WORKLOAD_OP_PUT: _ClassVar[WorkloadOp]
    WORKLOAD_OP_GET: _ClassVar[WorkloadOp]
    WORKLOAD_OP_RANGE: _ClassVar[WorkloadOp]
    WORKLOAD_OP_TXN: _ClassVar[WorkloadOp]
    WORKLOAD_OP_DELETE: _ClassVar[WorkloadOp]

class KeyDistribution(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KEY_DISTRIBUTION_UNIFORM: _ClassVar[KeyDistribution]
    KEY_DISTRIBUTION_SEQUENTIAL: _ClassVar[KeyDistribution]

class StmIsolation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STM_ISOLATION_DEFAULT: _ClassVar[StmIsolation]
    STM_ISOLATION_SERIALIZABLE_SNAPSHOT: _ClassVar[StmIsolation]
    STM_ISOLATION_SERIALIZABLE: _ClassVar[StmIsolation]
    STM_ISOLATION_REPEATABLE_READS: _ClassVar[StmIsolation]
    STM_ISOLATION_READ_COMMITTED: _ClassVar[StmIsolation]
PROTOCOL_VERSION_UNSPECIFIED: ProtocolVersion
PROTOCOL_VERSION_1: ProtocolVersion
RANGE_KIND_SINGLE: RangeKind
RANGE_KIND_RANGE: RangeKind
RANGE_KIND_PREFIX: RangeKind
RANGE_KIND_FROM_KEY: RangeKind
SORT_ORDER_NONE: SortOrder
SORT_ORDER_ASCEND: SortOrder
SORT_ORDER_DESCEND: SortOrder
SORT_TARGET_KEY: SortTarget
SORT_TARGET_VERSION: SortTarget
SORT_TARGET_CREATE: SortTarget
SORT_TARGET_MOD: SortTarget
SORT_TARGET_VALUE: SortTarget
COMPARE_RESULT_EQUAL: CompareResult
COMPARE_RESULT_GREATER: CompareResult
COMPARE_RESULT_LESS: CompareResult
COMPARE_RESULT_NOT_EQUAL: CompareResult
COMPARE_TARGET_VERSION: CompareTarget
COMPARE_TARGET_CREATE: CompareTarget
COMPARE_TARGET_MOD: CompareTarget
COMPARE_TARGET_VALUE: CompareTarget
COMPARE_TARGET_LEASE: CompareTarget
WATCH_FILTER_UNSPECIFIED: WatchFilter
WATCH_FILTER_NOPUT: WatchFilter
WATCH_FILTER_NODELETE: WatchFilter
ERROR_CODE_UNSPECIFIED: ErrorCode
COMPACTED: ErrorCode
FUTURE_REVISION: ErrorCode
LEASE_NOT_FOUND: ErrorCode
DUPLICATE_KEY: ErrorCode
TOO_MANY_OPS: ErrorCode
REQUEST_TOO_LARGE: ErrorCode
PERMISSION_DENIED: ErrorCode
AUTH_FAILED: ErrorCode
UNAVAILABLE: ErrorCode
DEADLINE_EXCEEDED: ErrorCode
CANCELED: ErrorCode
INVALID_ARGUMENT: ErrorCode
UNKNOWN: ErrorCode
EMPTY_KEY: ErrorCode
KEY_NOT_FOUND: ErrorCode
LEASE_EXISTS: ErrorCode
LEASE_TTL_TOO_LARGE: ErrorCode
VALUE_PROVIDED: ErrorCode
LEASE_PROVIDED: ErrorCode
NOT_LEADER: ErrorCode
NO_LEADER: ErrorCode
SESSION_EXPIRED: ErrorCode
EVENT_TYPE_PUT: EventType
EVENT_TYPE_DELETE: EventType
PERMISSION_TYPE_READ: PermissionType
PERMISSION_TYPE_WRITE: PermissionType
PERMISSION_TYPE_READWRITE: PermissionType
WORKLOAD_OP_UNSPECIFIED: WorkloadOp
WORKLOAD_OP_PUT: WorkloadOp
WORKLOAD_OP_GET: WorkloadOp
WORKLOAD_OP_RANGE: WorkloadOp
WORKLOAD_OP_TXN: WorkloadOp
WORKLOAD_OP_DELETE: WorkloadOp
KEY_DISTRIBUTION_UNIFORM: KeyDistribution
KEY_DISTRIBUTION_SEQUENTIAL: KeyDistribution
STM_ISOLATION_DEFAULT: StmIsolation
STM_ISOLATION_SERIALIZABLE_SNAPSHOT: StmIsolation
STM_ISOLATION_SERIALIZABLE: StmIsolation
STM_ISOLATION_REPEATABLE_READS: StmIsolation
STM_ISOLATION_READ_COMMITTED: StmIsolation

class DescribeRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeResponse(_message.Message):
    __slots__ = ("name", "language", "sdk_package", "sdk_version", "performer_version", "protocol_version", "capabilities")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SDK_PACKAGE_FIELD_NUMBER: _ClassVar[int]
    SDK_VERSION_FIELD_NUMBER: _ClassVar[int]
    PERFORMER_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    name: str
    language: str
    sdk_package: str
    sdk_version: str
    performer_version: str
    protocol_version: ProtocolVersion
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., language: _Optional[str] = ..., sdk_package: _Optional[str] = ..., sdk_version: _Optional[str] = ..., performer_version: _Optional[str] = ..., protocol_version: _Optional[_Union[ProtocolVersion, str]] = ..., capabilities: _Optional[_Iterable[str]] = ...) -> None: ...

class ConnectRequest(_message.Message):
    __slots__ = ("endpoints", "dial_timeout_ms", "request_timeout_ms", "username", "password", "keepalive_time_ms", "keepalive_timeout_ms", "block_until_connected", "auto_sync_interval_ms", "tls_ca_pem", "tls_cert_pem", "tls_key_pem", "tls_server_name")
    ENDPOINTS_FIELD_NUMBER: _ClassVar[int]
    DIAL_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    KEEPALIVE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    KEEPALIVE_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    BLOCK_UNTIL_CONNECTED_FIELD_NUMBER: _ClassVar[int]
    AUTO_SYNC_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    TLS_CA_PEM_FIELD_NUMBER: _ClassVar[int]
    TLS_CERT_PEM_FIELD_NUMBER: _ClassVar[int]
    TLS_KEY_PEM_FIELD_NUMBER: _ClassVar[int]
    TLS_SERVER_NAME_FIELD_NUMBER: _ClassVar[int]
    endpoints: _containers.RepeatedScalarFieldContainer[str]
    dial_timeout_ms: int
    request_timeout_ms: int
    username: str
    password: str
    keepalive_time_ms: int
    keepalive_timeout_ms: int
    block_until_connected: bool
    auto_sync_interval_ms: int
    tls_ca_pem: bytes
    tls_cert_pem: bytes
    tls_key_pem: bytes
    tls_server_name: str
    def __init__(self, endpoints: _Optional[_Iterable[str]] = ..., dial_timeout_ms: _Optional[int] = ..., request_timeout_ms: _Optional[int] = ..., username: _Optional[str] = ..., password: _Optional[str] = ..., keepalive_time_ms: _Optional[int] = ..., keepalive_timeout_ms: _Optional[int] = ..., block_until_connected: _Optional[bool] = ..., auto_sync_interval_ms: _Optional[int] = ..., tls_ca_pem: _Optional[bytes] = ..., tls_cert_pem: _Optional[bytes] = ..., tls_key_pem: _Optional[bytes] = ..., tls_server_name: _Optional[str] = ...) -> None: ...

class ConnectResponse(_message.Message):
    __slots__ = ("client_id", "error", "call_ns", "return_ns")
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CALL_NS_FIELD_NUMBER: _ClassVar[int]
    RETURN_NS_FIELD_NUMBER: _ClassVar[int]
    client_id: str
    error: SdkError
    call_ns: int
    return_ns: int
    def __init__(self, client_id: _Optional[str] = ..., error: _Optional[_Union[SdkError, _Mapping]] = ..., call_ns: _Optional[int] = ..., return_ns: _Optional[int] = ...) -> None: ...

class DisconnectRequest(_message.Message):
    __slots__ = ("client_id",)
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    client_id: str
    def __init__(self, client_id: _Optional[str] = ...) -> None: ...

class DisconnectResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ExecuteRequest(_message.Message):
    __slots__ = ("client_id", "program")
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    client_id: str
    program: Program
    def __init__(self, client_id: _Optional[str] = ..., program: _Optional[_Union[Program, _Mapping]] = ...) -> None: ...

class ExecuteResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[CommandResult]
    def __init__(self, results: _Optional[_Iterable[_Union[CommandResult, _Mapping]]] = ...) -> None: ...

class Program(_message.Message):
    __slots__ = ("commands",)
    COMMANDS_FIELD_NUMBER: _ClassVar[int]
    commands: _containers.RepeatedCompositeFieldContainer[Command]
    def __init__(self, commands: _Optional[_Iterable[_Union[Command, _Mapping]]] = ...) -> None: ...

class Command(_message.Message):
    __slots__ = ("put", "range", "delete_range", "txn", "compact", "lease_grant", "lease_revoke", "lease_time_to_live", "lease_leases", "lease_keep_alive_once", "watch_start", "watch_collect", "watch_cancel", "status", "lease_keep_alive_start", "lease_keep_alive_collect", "lease_keep_alive_stop", "signal", "wait", "lock_acquire", "lock_release", "election_campaign", "election_proclaim", "election_leader", "election_observe_start", "election_observe_collect", "election_resign", "authenticate", "user_add", "user_delete", "user_change_password", "user_grant_role", "user_revoke_role", "role_add", "role_grant_permission", "role_revoke_permission", "auth_enable", "auth_disable", "stm")
    PUT_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    DELETE_RANGE_FIELD_NUMBER: _ClassVar[int]
    TXN_FIELD_NUMBER: _ClassVar[int]
    COMPACT_FIELD_NUMBER: _ClassVar[int]
    LEASE_GRANT_FIELD_NUMBER: _ClassVar[int]
    LEASE_REVOKE_FIELD_NUMBER: _ClassVar[int]
    LEASE_TIME_TO_LIVE_FIELD_NUMBER: _ClassVar[int]
    LEASE_LEASES_FIELD_NUMBER: _ClassVar[int]
    LEASE_KEEP_ALIVE_ONCE_FIELD_NUMBER: _ClassVar[int]
    WATCH_START_FIELD_NUMBER: _ClassVar[int]
    WATCH_COLLECT_FIELD_NUMBER: _ClassVar[int]
    WATCH_CANCEL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LEASE_KEEP_ALIVE_START_FIELD_NUMBER: _ClassVar[int]
    LEASE_KEEP_ALIVE_COLLECT_FIELD_NUMBER: _ClassVar[int]
    LEASE_KEEP_ALIVE_STOP_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    LOCK_ACQUIRE_FIELD_NUMBER: _ClassVar[int]
    LOCK_RELEASE_FIELD_NUMBER: _ClassVar[int]
    ELECTION_CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    ELECTION_PROCLAIM_FIELD_NUMBER: _ClassVar[int]
    ELECTION_LEADER_FIELD_NUMBER: _ClassVar[int]
    ELECTION_OBSERVE_START_FIELD_NUMBER: _ClassVar[int]
    ELECTION_OBSERVE_COLLECT_FIELD_NUMBER: _ClassVar[int]
    ELECTION_RESIGN_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATE_FIELD_NUMBER: _ClassVar[int]
    USER_ADD_FIELD_NUMBER: _ClassVar[int]
    USER_DELETE_FIELD_NUMBER: _ClassVar[int]
    USER_CHANGE_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    USER_GRANT_ROLE_FIELD_NUMBER: _ClassVar[int]
    USER_REVOKE_ROLE_FIELD_NUMBER: _ClassVar[int]
    ROLE_ADD_FIELD_NUMBER: _ClassVar[int]
    ROLE_GRANT_PERMISSION_FIELD_NUMBER: _ClassVar[int]
    ROLE_REVOKE_PERMISSION_FIELD_NUMBER: _ClassVar[int]
    AUTH_ENABLE_FIELD_NUMBER: _ClassVar[int]
    AUTH_DISABLE_FIELD_NUMBER: _ClassVar[int]
    STM_FIELD_NUMBER: _ClassVar[int]
    put: PutCommand
    range: RangeCommand
    delete_range: DeleteRangeCommand
    txn: TxnCommand
    compact: CompactCommand
    lease_grant: LeaseGrantCommand
    lease_revoke: LeaseRevokeCommand
    lease_time_to_live: LeaseTimeToLiveCommand
    lease_leases: LeaseLeasesCommand
    lease_keep_alive_once: LeaseKeepAliveOnceCommand
    watch_start: WatchStartCommand
    watch_collect: WatchCollectCommand
    watch_cancel: WatchCancelCommand
    status: StatusCommand
    lease_keep_alive_start: LeaseKeepAliveStartCommand
    lease_keep_alive_collect: LeaseKeepAliveCollectCommand
    lease_keep_alive_stop: LeaseKeepAliveStopCommand
    signal: SignalCommand
    wait: WaitCommand
    lock_acquire: LockAcquireCommand
    lock_release: LockReleaseCommand
    election_campaign: ElectionCampaignCommand
    election_proclaim: ElectionProclaimCommand
    election_leader: ElectionLeaderCommand
    election_observe_start: ElectionObserveStartCommand
    election_observe_collect: ElectionObserveCollectCommand
    election_resign: ElectionResignCommand
    authenticate: AuthenticateCommand
    user_add: UserAddCommand
    user_delete: UserDeleteCommand
    user_change_password: UserChangePasswordCommand
    user_grant_role: UserGrantRoleCommand
    user_revoke_role: UserRevokeRoleCommand
    role_add: RoleAddCommand
    role_grant_permission: RoleGrantPermissionCommand
    role_revoke_permission: RoleRevokePermissionCommand
    auth_enable: AuthEnableCommand
    auth_disable: AuthDisableCommand
    stm: StmCommand
    def __init__(self, put: _Optional[_Union[PutCommand, _Mapping]] = ..., range: _Optional[_Union[RangeCommand, _Mapping]] = ..., delete_range: _Optional[_Union[DeleteRangeCommand, _Mapping]] = ..., txn: _Optional[_Union[TxnCommand, _Mapping]] = ..., compact: _Optional[_Union[CompactCommand, _Mapping]] = ..., lease_grant: _Optional[_Union[LeaseGrantCommand, _Mapping]] = ..., lease_revoke: _Optional[_Union[LeaseRevokeCommand, _Mapping]] = ..., lease_time_to_live: _Optional[_Union[LeaseTimeToLiveCommand, _Mapping]] = ..., lease_leases: _Optional[_Union[LeaseLeasesCommand, _Mapping]] = ..., lease_keep_alive_once: _Optional[_Union[LeaseKeepAliveOnceCommand, _Mapping]] = ..., watch_start: _Optional[_Union[WatchStartCommand, _Mapping]] = ..., watch_collect: _Optional[_Union[WatchCollectCommand, _Mapping]] = ..., watch_cancel: _Optional[_Union[WatchCancelCommand, _Mapping]] = ..., status: _Optional[_Union[StatusCommand, _Mapping]] = ..., lease_keep_alive_start: _Optional[_Union[LeaseKeepAliveStartCommand, _Mapping]] = ..., lease_keep_alive_collect: _Optional[_Union[LeaseKeepAliveCollectCommand, _Mapping]] = ..., lease_keep_alive_stop: _Optional[_Union[LeaseKeepAliveStopCommand, _Mapping]] = ..., signal: _Optional[_Union[SignalCommand, _Mapping]] = ..., wait: _Optional[_Union[WaitCommand, _Mapping]] = ..., lock_acquire: _Optional[_Union[LockAcquireCommand, _Mapping]] = ..., lock_release: _Optional[_Union[LockReleaseCommand, _Mapping]] = ..., election_campaign: _Optional[_Union[ElectionCampaignCommand, _Mapping]] = ..., election_proclaim: _Optional[_Union[ElectionProclaimCommand, _Mapping]] = ..., election_leader: _Optional[_Union[ElectionLeaderCommand, _Mapping]] = ..., election_observe_start: _Optional[_Union[ElectionObserveStartCommand, _Mapping]] = ..., election_observe_collect: _Optional[_Union[ElectionObserveCollectCommand, _Mapping]] = ..., election_resign: _Optional[_Union[ElectionResignCommand, _Mapping]] = ..., authenticate: _Optional[_Union[AuthenticateCommand, _Mapping]] = ..., user_add: _Optional[_Union[UserAddCommand, _Mapping]] = ..., user_delete: _Optional[_Union[UserDeleteCommand, _Mapping]] = ..., user_change_password: _Optional[_Union[UserChangePasswordCommand, _Mapping]] = ..., user_grant_role: _Optional[_Union[UserGrantRoleCommand, _Mapping]] = ..., user_revoke_role: _Optional[_Union[UserRevokeRoleCommand, _Mapping]] = ..., role_add: _Optional[_Union[RoleAddCommand, _Mapping]] = ..., role_grant_permission: _Optional[_Union[RoleGrantPermissionCommand, _Mapping]] = ..., role_revoke_permission: _Optional[_Union[RoleRevokePermissionCommand, _Mapping]] = ..., auth_enable: _Optional[_Union[AuthEnableCommand, _Mapping]] = ..., auth_disable: _Optional[_Union[AuthDisableCommand, _Mapping]] = ..., stm: _Optional[_Union[StmCommand, _Mapping]] = ...) -> None: ...

class PutCommand(_message.Message):
    __slots__ = ("key", "value", "lease", "prev_kv", "ignore_value", "ignore_lease")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    LEASE_FIELD_NUMBER: _ClassVar[int]
    PREV_KV_FIELD_NUMBER: _ClassVar[int]
    IGNORE_VALUE_FIELD_NUMBER: _ClassVar[int]
    IGNORE_LEASE_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    value: bytes
    lease: int
    prev_kv: bool
    ignore_value: bool
    ignore_lease: bool
    def __init__(self, key: _Optional[bytes] = ..., value: _Optional[bytes] = ..., lease: _Optional[int] = ..., prev_kv: _Optional[bool] = ..., ignore_value: _Optional[bool] = ..., ignore_lease: _Optional[bool] = ...) -> None: ...

class RangeCommand(_message.Message):
    __slots__ = ("key", "kind", "range_end", "limit", "revision", "sort_order", "sort_target", "serializable", "keys_only", "count_only", "min_mod_revision", "max_mod_revision", "min_create_revision", "max_create_revision")
    KEY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RANGE_END_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    SORT_ORDER_FIELD_NUMBER: _ClassVar[int]
    SORT_TARGET_FIELD_NUMBER: _ClassVar[int]
    SERIALIZABLE_FIELD_NUMBER: _ClassVar[int]
    KEYS_ONLY_FIELD_NUMBER: _ClassVar[int]
    COUNT_ONLY_FIELD_NUMBER: _ClassVar[int]
    MIN_MOD_REVISION_FIELD_NUMBER: _ClassVar[int]
    MAX_MOD_REVISION_FIELD_NUMBER: _ClassVar[int]
    MIN_CREATE_REVISION_FIELD_NUMBER: _ClassVar[int]
    MAX_CREATE_REVISION_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    kind: RangeKind
    range_end: bytes
    limit: int
    revision: int
    sort_order: SortOrder
    sort_target: SortTarget
    serializable: bool
    keys_only: bool
    count_only: bool
    min_mod_revision: int
    max_mod_revision: int
    min_create_revision: int
    max_create_revision: int
    def __init__(self, key: _Optional[bytes] = ..., kind: _Optional[_Union[RangeKind, str]] = ..., range_end: _Optional[bytes] = ..., limit: _Optional[int] = ..., revision: _Optional[int] = ..., sort_order: _Optional[_Union[SortOrder, str]] = ..., sort_target: _Optional[_Union[SortTarget, str]] = ..., serializable: _Optional[bool] = ..., keys_only: _Optional[bool] = ..., count_only: _Optional[bool] = ..., min_mod_revision: _Optional[int] = ..., max_mod_revision: _Optional[int] = ..., min_create_revision: _Optional[int] = ..., max_create_revision: _Optional[int] = ...) -> None: ...

class DeleteRangeCommand(_message.Message):
    __slots__ = ("key", "kind", "range_end", "prev_kv")
    KEY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RANGE_END_FIELD_NUMBER: _ClassVar[int]
    PREV_KV_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    kind: RangeKind
    range_end: bytes
    prev_kv: bool
    def __init__(self, key: _Optional[bytes] = ..., kind: _Optional[_Union[RangeKind, str]] = ..., range_end: _Optional[bytes] = ..., prev_kv: _Optional[bool] = ...) -> None: ...

class Compare(_message.Message):
    __slots__ = ("result", "target", "key", "kind", "range_end", "version", "create_revision", "mod_revision", "value", "lease")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RANGE_END_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_REVISION_FIELD_NUMBER: _ClassVar[int]
    MOD_REVISION_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    LEASE_FIELD_NUMBER: _ClassVar[int]
    result: CompareResult
    target: CompareTarget
    key: bytes
    kind: RangeKind
    range_end: bytes
    version: int
    create_revision: int
    mod_revision: int
    value: bytes
    lease: int
    def __init__(self, result: _Optional[_Union[CompareResult, str]] = ..., target: _Optional[_Union[CompareTarget, str]] = ..., key: _Optional[bytes] = ..., kind: _Optional[_Union[RangeKind, str]] = ..., range_end: _Optional[bytes] = ..., version: _Optional[int] = ..., create_revision: _Optional[int] = ..., mod_revision: _Optional[int] = ..., value: _Optional[bytes] = ..., lease: _Optional[int] = ...) -> None: ...

class RequestOp(_message.Message):
    __slots__ = ("put", "range", "delete_range", "txn")
    PUT_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    DELETE_RANGE_FIELD_NUMBER: _ClassVar[int]
    TXN_FIELD_NUMBER: _ClassVar[int]
    put: PutCommand
    range: RangeCommand
    delete_range: DeleteRangeCommand
    txn: TxnCommand
    def __init__(self, put: _Optional[_Union[PutCommand, _Mapping]] = ..., range: _Optional[_Union[RangeCommand, _Mapping]] = ..., delete_range: _Optional[_Union[DeleteRangeCommand, _Mapping]] = ..., txn: _Optional[_Union[TxnCommand, _Mapping]] = ...) -> None: ...

class TxnCommand(_message.Message):
    __slots__ = ("compares", "success", "failure")
    COMPARES_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    compares: _containers.RepeatedCompositeFieldContainer[Compare]
    success: _containers.RepeatedCompositeFieldContainer[RequestOp]
    failure: _containers.RepeatedCompositeFieldContainer[RequestOp]
    def __init__(self, compares: _Optional[_Iterable[_Union[Compare, _Mapping]]] = ..., success: _Optional[_Iterable[_Union[RequestOp, _Mapping]]] = ..., failure: _Optional[_Iterable[_Union[RequestOp, _Mapping]]] = ...) -> None: ...

class CompactCommand(_message.Message):
    __slots__ = ("revision", "physical")
    REVISION_FIELD_NUMBER: _ClassVar[int]
    PHYSICAL_FIELD_NUMBER: _ClassVar[int]
    revision: int
    physical: bool
    def __init__(self, revision: _Optional[int] = ..., physical: _Optional[bool] = ...) -> None: ...

class StatusCommand(_message.Message):
    __slots__ = ("endpoint",)
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    endpoint: str
    def __init__(self, endpoint: _Optional[str] = ...) -> None: ...

class LeaseGrantCommand(_message.Message):
    __slots__ = ("ttl", "id")
    TTL_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ttl: int
    id: int
    def __init__(self, ttl: _Optional[int] = ..., id: _Optional[int] = ...) -> None: ...

class LeaseRevokeCommand(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: int
    def __init__(self, id: _Optional[int] = ...) -> None: ...

class LeaseTimeToLiveCommand(_message.Message):
    __slots__ = ("id", "keys")
    ID_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    id: int
    keys: bool
    def __init__(self, id: _Optional[int] = ..., keys: _Optional[bool] = ...) -> None: ...

class LeaseLeasesCommand(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LeaseKeepAliveOnceCommand(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: int
    def __init__(self, id: _Optional[int] = ...) -> None: ...

class LeaseKeepAliveStartCommand(_message.Message):
    __slots__ = ("handle", "id", "ttl")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    handle: str
    id: int
    ttl: int
    def __init__(self, handle: _Optional[str] = ..., id: _Optional[int] = ..., ttl: _Optional[int] = ...) -> None: ...

class LeaseKeepAliveCollectCommand(_message.Message):
    __slots__ = ("handle", "min_responses", "timeout_ms")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    MIN_RESPONSES_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    handle: str
    min_responses: int
    timeout_ms: int
    def __init__(self, handle: _Optional[str] = ..., min_responses: _Optional[int] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class LeaseKeepAliveStopCommand(_message.Message):
    __slots__ = ("handle",)
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    handle: str
    def __init__(self, handle: _Optional[str] = ...) -> None: ...

class WatchStartCommand(_message.Message):
    __slots__ = ("handle", "key", "kind", "range_end", "start_revision", "prev_kv", "progress_notify", "filters")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RANGE_END_FIELD_NUMBER: _ClassVar[int]
    START_REVISION_FIELD_NUMBER: _ClassVar[int]
    PREV_KV_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_NOTIFY_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    handle: str
    key: bytes
    kind: RangeKind
    range_end: bytes
    start_revision: int
    prev_kv: bool
    progress_notify: bool
    filters: _containers.RepeatedScalarFieldContainer[WatchFilter]
    def __init__(self, handle: _Optional[str] = ..., key: _Optional[bytes] = ..., kind: _Optional[_Union[RangeKind, str]] = ..., range_end: _Optional[bytes] = ..., start_revision: _Optional[int] = ..., prev_kv: _Optional[bool] = ..., progress_notify: _Optional[bool] = ..., filters: _Optional[_Iterable[_Union[WatchFilter, str]]] = ...) -> None: ...

class WatchCollectCommand(_message.Message):
    __slots__ = ("handle", "min_events", "timeout_ms")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    MIN_EVENTS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    handle: str
    min_events: int
    timeout_ms: int
    def __init__(self, handle: _Optional[str] = ..., min_events: _Optional[int] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class WatchCancelCommand(_message.Message):
    __slots__ = ("handle",)
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    handle: str
    def __init__(self, handle: _Optional[str] = ...) -> None: ...

class CommandResult(_message.Message):
    __slots__ = ("call_ns", "return_ns", "ok", "sdk_error", "harness_error")
    CALL_NS_FIELD_NUMBER: _ClassVar[int]
    RETURN_NS_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    SDK_ERROR_FIELD_NUMBER: _ClassVar[int]
    HARNESS_ERROR_FIELD_NUMBER: _ClassVar[int]
    call_ns: int
    return_ns: int
    ok: CommandOk
    sdk_error: SdkError
    harness_error: HarnessError
    def __init__(self, call_ns: _Optional[int] = ..., return_ns: _Optional[int] = ..., ok: _Optional[_Union[CommandOk, _Mapping]] = ..., sdk_error: _Optional[_Union[SdkError, _Mapping]] = ..., harness_error: _Optional[_Union[HarnessError, _Mapping]] = ...) -> None: ...

class CommandOk(_message.Message):
    __slots__ = ("put", "range", "delete_range", "txn", "compact", "lease_grant", "lease_revoke", "lease_time_to_live", "lease_leases", "lease_keep_alive_once", "watch_start", "watch_collect", "watch_cancel", "status", "lease_keep_alive_start", "lease_keep_alive_collect", "lease_keep_alive_stop", "signal", "wait", "lock_acquire", "lock_release", "election_campaign", "election_proclaim", "election_leader", "election_observe_start", "election_observe_collect", "election_resign", "authenticate", "user_add", "user_delete", "user_change_password", "user_grant_role", "user_revoke_role", "role_add", "role_grant_permission", "role_revoke_permission", "auth_enable", "auth_disable", "stm")
    PUT_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    DELETE_RANGE_FIELD_NUMBER: _ClassVar[int]
    TXN_FIELD_NUMBER: _ClassVar[int]
    COMPACT_FIELD_NUMBER: _ClassVar[int]
    LEASE_GRANT_FIELD_NUMBER: _ClassVar[int]
    LEASE_REVOKE_FIELD_NUMBER: _ClassVar[int]
    LEASE_TIME_TO_LIVE_FIELD_NUMBER: _ClassVar[int]
    LEASE_LEASES_FIELD_NUMBER: _ClassVar[int]
    LEASE_KEEP_ALIVE_ONCE_FIELD_NUMBER: _ClassVar[int]
    WATCH_START_FIELD_NUMBER: _ClassVar[int]
    WATCH_COLLECT_FIELD_NUMBER: _ClassVar[int]
    WATCH_CANCEL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LEASE_KEEP_ALIVE_START_FIELD_NUMBER: _ClassVar[int]
    LEASE_KEEP_ALIVE_COLLECT_FIELD_NUMBER: _ClassVar[int]
    LEASE_KEEP_ALIVE_STOP_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    LOCK_ACQUIRE_FIELD_NUMBER: _ClassVar[int]
    LOCK_RELEASE_FIELD_NUMBER: _ClassVar[int]
    ELECTION_CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    ELECTION_PROCLAIM_FIELD_NUMBER: _ClassVar[int]
    ELECTION_LEADER_FIELD_NUMBER: _ClassVar[int]
    ELECTION_OBSERVE_START_FIELD_NUMBER: _ClassVar[int]
    ELECTION_OBSERVE_COLLECT_FIELD_NUMBER: _ClassVar[int]
    ELECTION_RESIGN_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATE_FIELD_NUMBER: _ClassVar[int]
    USER_ADD_FIELD_NUMBER: _ClassVar[int]
    USER_DELETE_FIELD_NUMBER: _ClassVar[int]
    USER_CHANGE_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    USER_GRANT_ROLE_FIELD_NUMBER: _ClassVar[int]
    USER_REVOKE_ROLE_FIELD_NUMBER: _ClassVar[int]
    ROLE_ADD_FIELD_NUMBER: _ClassVar[int]
    ROLE_GRANT_PERMISSION_FIELD_NUMBER: _ClassVar[int]
    ROLE_REVOKE_PERMISSION_FIELD_NUMBER: _ClassVar[int]
    AUTH_ENABLE_FIELD_NUMBER: _ClassVar[int]
    AUTH_DISABLE_FIELD_NUMBER: _ClassVar[int]
    STM_FIELD_NUMBER: _ClassVar[int]
    put: PutResult
    range: RangeResult
    delete_range: DeleteRangeResult
    txn: TxnResult
    compact: CompactResult
    lease_grant: LeaseGrantResult
    lease_revoke: LeaseRevokeResult
    lease_time_to_live: LeaseTimeToLiveResult
    lease_leases: LeaseLeasesResult
    lease_keep_alive_once: LeaseKeepAliveOnceResult
    watch_start: WatchStartResult
    watch_collect: WatchCollectResult
    watch_cancel: WatchCancelResult
    status: StatusResult
    lease_keep_alive_start: LeaseKeepAliveStartResult
    lease_keep_alive_collect: LeaseKeepAliveCollectResult
    lease_keep_alive_stop: LeaseKeepAliveStopResult
    signal: SignalResult
    wait: WaitResult
    lock_acquire: LockAcquireResult
    lock_release: LockReleaseResult
    election_campaign: ElectionCampaignResult
    election_proclaim: ElectionProclaimResult
    election_leader: ElectionLeaderResult
    election_observe_start: ElectionObserveStartResult
    election_observe_collect: ElectionObserveCollectResult
    election_resign: ElectionResignResult
    authenticate: AuthenticateResult
    user_add: AuthResult
    user_delete: AuthResult
    user_change_password: AuthResult
    user_grant_role: AuthResult
    user_revoke_role: AuthResult
    role_add: AuthResult
    role_grant_permission: AuthResult
    role_revoke_permission: AuthResult
    auth_enable: AuthResult
    auth_disable: AuthResult
    stm: StmResult
    def __init__(self, put: _Optional[_Union[PutResult, _Mapping]] = ..., range: _Optional[_Union[RangeResult, _Mapping]] = ..., delete_range: _Optional[_Union[DeleteRangeResult, _Mapping]] = ..., txn: _Optional[_Union[TxnResult, _Mapping]] = ..., compact: _Optional[_Union[CompactResult, _Mapping]] = ..., lease_grant: _Optional[_Union[LeaseGrantResult, _Mapping]] = ..., lease_revoke: _Optional[_Union[LeaseRevokeResult, _Mapping]] = ..., lease_time_to_live: _Optional[_Union[LeaseTimeToLiveResult, _Mapping]] = ..., lease_leases: _Optional[_Union[LeaseLeasesResult, _Mapping]] = ..., lease_keep_alive_once: _Optional[_Union[LeaseKeepAliveOnceResult, _Mapping]] = ..., watch_start: _Optional[_Union[WatchStartResult, _Mapping]] = ..., watch_collect: _Optional[_Union[WatchCollectResult, _Mapping]] = ..., watch_cancel: _Optional[_Union[WatchCancelResult, _Mapping]] = ..., status: _Optional[_Union[StatusResult, _Mapping]] = ..., lease_keep_alive_start: _Optional[_Union[LeaseKeepAliveStartResult, _Mapping]] = ..., lease_keep_alive_collect: _Optional[_Union[LeaseKeepAliveCollectResult, _Mapping]] = ..., lease_keep_alive_stop: _Optional[_Union[LeaseKeepAliveStopResult, _Mapping]] = ..., signal: _Optional[_Union[SignalResult, _Mapping]] = ..., wait: _Optional[_Union[WaitResult, _Mapping]] = ..., lock_acquire: _Optional[_Union[LockAcquireResult, _Mapping]] = ..., lock_release: _Optional[_Union[LockReleaseResult, _Mapping]] = ..., election_campaign: _Optional[_Union[ElectionCampaignResult, _Mapping]] = ..., election_proclaim: _Optional[_Union[ElectionProclaimResult, _Mapping]] = ..., election_leader: _Optional[_Union[ElectionLeaderResult, _Mapping]] = ..., election_observe_start: _Optional[_Union[ElectionObserveStartResult, _Mapping]] = ..., election_observe_collect: _Optional[_Union[ElectionObserveCollectResult, _Mapping]] = ..., election_resign: _Optional[_Union[ElectionResignResult, _Mapping]] = ..., authenticate: _Optional[_Union[AuthenticateResult, _Mapping]] = ..., user_add: _Optional[_Union[AuthResult, _Mapping]] = ..., user_delete: _Optional[_Union[AuthResult, _Mapping]] = ..., user_change_password: _Optional[_Union[AuthResult, _Mapping]] = ..., user_grant_role: _Optional[_Union[AuthResult, _Mapping]] = ..., user_revoke_role: _Optional[_Union[AuthResult, _Mapping]] = ..., role_add: _Optional[_Union[AuthResult, _Mapping]] = ..., role_grant_permission: _Optional[_Union[AuthResult, _Mapping]] = ..., role_revoke_permission: _Optional[_Union[AuthResult, _Mapping]] = ..., auth_enable: _Optional[_Union[AuthResult, _Mapping]] = ..., auth_disable: _Optional[_Union[AuthResult, _Mapping]] = ..., stm: _Optional[_Union[StmResult, _Mapping]] = ...) -> None: ...

class SdkError(_message.Message):
    __slots__ = ("code", "sdk_type", "message", "grpc_code", "typed")
    CODE_FIELD_NUMBER: _ClassVar[int]
    SDK_TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    GRPC_CODE_FIELD_NUMBER: _ClassVar[int]
    TYPED_FIELD_NUMBER: _ClassVar[int]
    code: ErrorCode
    sdk_type: str
    message: str
    grpc_code: int
    typed: bool
    def __init__(self, code: _Optional[_Union[ErrorCode, str]] = ..., sdk_type: _Optional[str] = ..., message: _Optional[str] = ..., grpc_code: _Optional[int] = ..., typed: _Optional[bool] = ...) -> None: ...

class HarnessError(_message.Message):
    __slots__ = ("kind", "message")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[HarnessError.Kind]
        UNIMPLEMENTED: _ClassVar[HarnessError.Kind]
        BAD_REQUEST: _ClassVar[HarnessError.Kind]
        INTERNAL: _ClassVar[HarnessError.Kind]
    KIND_UNSPECIFIED: HarnessError.Kind
    UNIMPLEMENTED: HarnessError.Kind
    BAD_REQUEST: HarnessError.Kind
    INTERNAL: HarnessError.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    kind: HarnessError.Kind
    message: str
    def __init__(self, kind: _Optional[_Union[HarnessError.Kind, str]] = ..., message: _Optional[str] = ...) -> None: ...

class ResponseHeader(_message.Message):
    __slots__ = ("revision", "cluster_id", "member_id", "raft_term", "present")
    REVISION_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    RAFT_TERM_FIELD_NUMBER: _ClassVar[int]
    PRESENT_FIELD_NUMBER: _ClassVar[int]
    revision: int
    cluster_id: int
    member_id: int
    raft_term: int
    present: bool
    def __init__(self, revision: _Optional[int] = ..., cluster_id: _Optional[int] = ..., member_id: _Optional[int] = ..., raft_term: _Optional[int] = ..., present: _Optional[bool] = ...) -> None: ...

class KeyValue(_message.Message):
    __slots__ = ("key", "create_revision", "mod_revision", "version", "value", "lease")
    KEY_FIELD_NUMBER: _ClassVar[int]
    CREATE_REVISION_FIELD_NUMBER: _ClassVar[int]
    MOD_REVISION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    LEASE_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    create_revision: int
    mod_revision: int
    version: int
    value: bytes
    lease: int
    def __init__(self, key: _Optional[bytes] = ..., create_revision: _Optional[int] = ..., mod_revision: _Optional[int] = ..., version: _Optional[int] = ..., value: _Optional[bytes] = ..., lease: _Optional[int] = ...) -> None: ...

class PutResult(_message.Message):
    __slots__ = ("header", "prev_kv")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PREV_KV_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    prev_kv: KeyValue
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ..., prev_kv: _Optional[_Union[KeyValue, _Mapping]] = ...) -> None: ...

class RangeResult(_message.Message):
    __slots__ = ("header", "kvs", "more", "count")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    KVS_FIELD_NUMBER: _ClassVar[int]
    MORE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    kvs: _containers.RepeatedCompositeFieldContainer[KeyValue]
    more: bool
    count: int
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ..., kvs: _Optional[_Iterable[_Union[KeyValue, _Mapping]]] = ..., more: _Optional[bool] = ..., count: _Optional[int] = ...) -> None: ...

class DeleteRangeResult(_message.Message):
    __slots__ = ("header", "deleted", "prev_kvs")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    PREV_KVS_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    deleted: int
    prev_kvs: _containers.RepeatedCompositeFieldContainer[KeyValue]
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ..., deleted: _Optional[int] = ..., prev_kvs: _Optional[_Iterable[_Union[KeyValue, _Mapping]]] = ...) -> None: ...

class ResponseOp(_message.Message):
    __slots__ = ("put", "range", "delete_range", "txn")
    PUT_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    DELETE_RANGE_FIELD_NUMBER: _ClassVar[int]
    TXN_FIELD_NUMBER: _ClassVar[int]
    put: PutResult
    range: RangeResult
    delete_range: DeleteRangeResult
    txn: TxnResult
    def __init__(self, put: _Optional[_Union[PutResult, _Mapping]] = ..., range: _Optional[_Union[RangeResult, _Mapping]] = ..., delete_range: _Optional[_Union[DeleteRangeResult, _Mapping]] = ..., txn: _Optional[_Union[TxnResult, _Mapping]] = ...) -> None: ...

class TxnResult(_message.Message):
    __slots__ = ("header", "succeeded", "responses")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDED_FIELD_NUMBER: _ClassVar[int]
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    succeeded: bool
    responses: _containers.RepeatedCompositeFieldContainer[ResponseOp]
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ..., succeeded: _Optional[bool] = ..., responses: _Optional[_Iterable[_Union[ResponseOp, _Mapping]]] = ...) -> None: ...

class CompactResult(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ...) -> None: ...

class LeaseGrantResult(_message.Message):
    __slots__ = ("header", "id", "ttl")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    id: int
    ttl: int
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ..., id: _Optional[int] = ..., ttl: _Optional[int] = ...) -> None: ...

class LeaseRevokeResult(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ...) -> None: ...

class LeaseTimeToLiveResult(_message.Message):
    __slots__ = ("header", "id", "ttl", "granted_ttl", "keys")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    GRANTED_TTL_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    id: int
    ttl: int
    granted_ttl: int
    keys: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ..., id: _Optional[int] = ..., ttl: _Optional[int] = ..., granted_ttl: _Optional[int] = ..., keys: _Optional[_Iterable[bytes]] = ...) -> None: ...

class LeaseLeasesResult(_message.Message):
    __slots__ = ("header", "ids")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ..., ids: _Optional[_Iterable[int]] = ...) -> None: ...

class LeaseKeepAliveOnceResult(_message.Message):
    __slots__ = ("header", "id", "ttl")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    id: int
    ttl: int
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ..., id: _Optional[int] = ..., ttl: _Optional[int] = ...) -> None: ...

class WatchStartResult(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchEvent(_message.Message):
    __slots__ = ("type", "kv", "prev_kv", "response")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    KV_FIELD_NUMBER: _ClassVar[int]
    PREV_KV_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    type: EventType
    kv: KeyValue
    prev_kv: KeyValue
    response: int
    def __init__(self, type: _Optional[_Union[EventType, str]] = ..., kv: _Optional[_Union[KeyValue, _Mapping]] = ..., prev_kv: _Optional[_Union[KeyValue, _Mapping]] = ..., response: _Optional[int] = ...) -> None: ...

class WatchCollectResult(_message.Message):
    __slots__ = ("events", "ended", "end_error", "compact_revision", "progress_revisions", "errors")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    ENDED_FIELD_NUMBER: _ClassVar[int]
    END_ERROR_FIELD_NUMBER: _ClassVar[int]
    COMPACT_REVISION_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_REVISIONS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[WatchEvent]
    ended: bool
    end_error: SdkError
    compact_revision: int
    progress_revisions: _containers.RepeatedScalarFieldContainer[int]
    errors: _containers.RepeatedCompositeFieldContainer[SdkError]
    def __init__(self, events: _Optional[_Iterable[_Union[WatchEvent, _Mapping]]] = ..., ended: _Optional[bool] = ..., end_error: _Optional[_Union[SdkError, _Mapping]] = ..., compact_revision: _Optional[int] = ..., progress_revisions: _Optional[_Iterable[int]] = ..., errors: _Optional[_Iterable[_Union[SdkError, _Mapping]]] = ...) -> None: ...

class LeaseKeepAliveStartResult(_message.Message):
    __slots__ = ("id", "ttl")
    ID_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    id: int
    ttl: int
    def __init__(self, id: _Optional[int] = ..., ttl: _Optional[int] = ...) -> None: ...

class KeepAliveResponse(_message.Message):
    __slots__ = ("ttl", "received_ns", "header")
    TTL_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_NS_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ttl: int
    received_ns: int
    header: ResponseHeader
    def __init__(self, ttl: _Optional[int] = ..., received_ns: _Optional[int] = ..., header: _Optional[_Union[ResponseHeader, _Mapping]] = ...) -> None: ...

class LeaseKeepAliveCollectResult(_message.Message):
    __slots__ = ("responses", "ended", "end_error")
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    ENDED_FIELD_NUMBER: _ClassVar[int]
    END_ERROR_FIELD_NUMBER: _ClassVar[int]
    responses: _containers.RepeatedCompositeFieldContainer[KeepAliveResponse]
    ended: bool
    end_error: SdkError
    def __init__(self, responses: _Optional[_Iterable[_Union[KeepAliveResponse, _Mapping]]] = ..., ended: _Optional[bool] = ..., end_error: _Optional[_Union[SdkError, _Mapping]] = ...) -> None: ...

class LeaseKeepAliveStopResult(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchCancelResult(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StatusResult(_message.Message):
    __slots__ = ("header", "version", "db_size", "leader", "raft_index", "raft_term")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DB_SIZE_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    RAFT_INDEX_FIELD_NUMBER: _ClassVar[int]
    RAFT_TERM_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    version: str
    db_size: int
    leader: int
    raft_index: int
    raft_term: int
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ..., version: _Optional[str] = ..., db_size: _Optional[int] = ..., leader: _Optional[int] = ..., raft_index: _Optional[int] = ..., raft_term: _Optional[int] = ...) -> None: ...

class ExecuteStreamRequest(_message.Message):
    __slots__ = ("program", "latch_released")
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    LATCH_RELEASED_FIELD_NUMBER: _ClassVar[int]
    program: ExecuteRequest
    latch_released: LatchReleased
    def __init__(self, program: _Optional[_Union[ExecuteRequest, _Mapping]] = ..., latch_released: _Optional[_Union[LatchReleased, _Mapping]] = ...) -> None: ...

class LatchReleased(_message.Message):
    __slots__ = ("latch",)
    LATCH_FIELD_NUMBER: _ClassVar[int]
    latch: str
    def __init__(self, latch: _Optional[str] = ...) -> None: ...

class ExecuteStreamResponse(_message.Message):
    __slots__ = ("result", "signalled", "done")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    SIGNALLED_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    result: StreamedResult
    signalled: LatchSignalled
    done: ProgramDone
    def __init__(self, result: _Optional[_Union[StreamedResult, _Mapping]] = ..., signalled: _Optional[_Union[LatchSignalled, _Mapping]] = ..., done: _Optional[_Union[ProgramDone, _Mapping]] = ...) -> None: ...

class StreamedResult(_message.Message):
    __slots__ = ("index", "result")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    index: int
    result: CommandResult
    def __init__(self, index: _Optional[int] = ..., result: _Optional[_Union[CommandResult, _Mapping]] = ...) -> None: ...

class LatchSignalled(_message.Message):
    __slots__ = ("latch", "index")
    LATCH_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    latch: str
    index: int
    def __init__(self, latch: _Optional[str] = ..., index: _Optional[int] = ...) -> None: ...

class ProgramDone(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SignalCommand(_message.Message):
    __slots__ = ("latch",)
    LATCH_FIELD_NUMBER: _ClassVar[int]
    latch: str
    def __init__(self, latch: _Optional[str] = ...) -> None: ...

class WaitCommand(_message.Message):
    __slots__ = ("latch", "timeout_ms")
    LATCH_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    latch: str
    timeout_ms: int
    def __init__(self, latch: _Optional[str] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class SignalResult(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WaitResult(_message.Message):
    __slots__ = ("released",)
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    released: bool
    def __init__(self, released: _Optional[bool] = ...) -> None: ...

class LockAcquireCommand(_message.Message):
    __slots__ = ("handle", "name", "session_ttl", "timeout_ms", "try_only")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SESSION_TTL_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    TRY_ONLY_FIELD_NUMBER: _ClassVar[int]
    handle: str
    name: bytes
    session_ttl: int
    timeout_ms: int
    try_only: bool
    def __init__(self, handle: _Optional[str] = ..., name: _Optional[bytes] = ..., session_ttl: _Optional[int] = ..., timeout_ms: _Optional[int] = ..., try_only: _Optional[bool] = ...) -> None: ...

class LockAcquireResult(_message.Message):
    __slots__ = ("acquired", "key", "create_revision", "lease", "header")
    ACQUIRED_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    CREATE_REVISION_FIELD_NUMBER: _ClassVar[int]
    LEASE_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    acquired: bool
    key: bytes
    create_revision: int
    lease: int
    header: ResponseHeader
    def __init__(self, acquired: _Optional[bool] = ..., key: _Optional[bytes] = ..., create_revision: _Optional[int] = ..., lease: _Optional[int] = ..., header: _Optional[_Union[ResponseHeader, _Mapping]] = ...) -> None: ...

class LockReleaseCommand(_message.Message):
    __slots__ = ("handle",)
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    handle: str
    def __init__(self, handle: _Optional[str] = ...) -> None: ...

class LockReleaseResult(_message.Message):
    __slots__ = ("released", "header")
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    released: bool
    header: ResponseHeader
    def __init__(self, released: _Optional[bool] = ..., header: _Optional[_Union[ResponseHeader, _Mapping]] = ...) -> None: ...

class ElectionCampaignCommand(_message.Message):
    __slots__ = ("handle", "name", "value", "session_ttl", "timeout_ms")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    SESSION_TTL_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    handle: str
    name: bytes
    value: bytes
    session_ttl: int
    timeout_ms: int
    def __init__(self, handle: _Optional[str] = ..., name: _Optional[bytes] = ..., value: _Optional[bytes] = ..., session_ttl: _Optional[int] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class ElectionCampaignResult(_message.Message):
    __slots__ = ("key", "create_revision", "lease", "header")
    KEY_FIELD_NUMBER: _ClassVar[int]
    CREATE_REVISION_FIELD_NUMBER: _ClassVar[int]
    LEASE_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    create_revision: int
    lease: int
    header: ResponseHeader
    def __init__(self, key: _Optional[bytes] = ..., create_revision: _Optional[int] = ..., lease: _Optional[int] = ..., header: _Optional[_Union[ResponseHeader, _Mapping]] = ...) -> None: ...

class ElectionProclaimCommand(_message.Message):
    __slots__ = ("handle", "value")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    handle: str
    value: bytes
    def __init__(self, handle: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...

class ElectionProclaimResult(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ...) -> None: ...

class ElectionLeaderCommand(_message.Message):
    __slots__ = ("handle", "name")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    handle: str
    name: bytes
    def __init__(self, handle: _Optional[str] = ..., name: _Optional[bytes] = ...) -> None: ...

class ElectionLeaderResult(_message.Message):
    __slots__ = ("leader", "header")
    LEADER_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    leader: KeyValue
    header: ResponseHeader
    def __init__(self, leader: _Optional[_Union[KeyValue, _Mapping]] = ..., header: _Optional[_Union[ResponseHeader, _Mapping]] = ...) -> None: ...

class ElectionObserveStartCommand(_message.Message):
    __slots__ = ("handle", "name")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    handle: str
    name: bytes
    def __init__(self, handle: _Optional[str] = ..., name: _Optional[bytes] = ...) -> None: ...

class ElectionObserveStartResult(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ElectionObserveCollectCommand(_message.Message):
    __slots__ = ("handle", "min_leaders", "timeout_ms")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    MIN_LEADERS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    handle: str
    min_leaders: int
    timeout_ms: int
    def __init__(self, handle: _Optional[str] = ..., min_leaders: _Optional[int] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class ElectionObserveCollectResult(_message.Message):
    __slots__ = ("leaders", "ended")
    LEADERS_FIELD_NUMBER: _ClassVar[int]
    ENDED_FIELD_NUMBER: _ClassVar[int]
    leaders: _containers.RepeatedCompositeFieldContainer[KeyValue]
    ended: bool
    def __init__(self, leaders: _Optional[_Iterable[_Union[KeyValue, _Mapping]]] = ..., ended: _Optional[bool] = ...) -> None: ...

class ElectionResignCommand(_message.Message):
    __slots__ = ("handle",)
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    handle: str
    def __init__(self, handle: _Optional[str] = ...) -> None: ...

class ElectionResignResult(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ...) -> None: ...

class AuthenticateCommand(_message.Message):
    __slots__ = ("name", "password")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    name: str
    password: str
    def __init__(self, name: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class AuthenticateResult(_message.Message):
    __slots__ = ("header", "has_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    HAS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    has_token: bool
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ..., has_token: _Optional[bool] = ...) -> None: ...

class UserAddCommand(_message.Message):
    __slots__ = ("name", "password", "no_password")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    NO_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    name: str
    password: str
    no_password: bool
    def __init__(self, name: _Optional[str] = ..., password: _Optional[str] = ..., no_password: _Optional[bool] = ...) -> None: ...

class UserDeleteCommand(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class UserChangePasswordCommand(_message.Message):
    __slots__ = ("name", "password")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    name: str
    password: str
    def __init__(self, name: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class UserGrantRoleCommand(_message.Message):
    __slots__ = ("user", "role")
    USER_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    user: str
    role: str
    def __init__(self, user: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...

class UserRevokeRoleCommand(_message.Message):
    __slots__ = ("user", "role")
    USER_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    user: str
    role: str
    def __init__(self, user: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...

class RoleAddCommand(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class RoleGrantPermissionCommand(_message.Message):
    __slots__ = ("role", "key", "range_end", "perm")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    RANGE_END_FIELD_NUMBER: _ClassVar[int]
    PERM_FIELD_NUMBER: _ClassVar[int]
    role: str
    key: bytes
    range_end: bytes
    perm: PermissionType
    def __init__(self, role: _Optional[str] = ..., key: _Optional[bytes] = ..., range_end: _Optional[bytes] = ..., perm: _Optional[_Union[PermissionType, str]] = ...) -> None: ...

class RoleRevokePermissionCommand(_message.Message):
    __slots__ = ("role", "key", "range_end")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    RANGE_END_FIELD_NUMBER: _ClassVar[int]
    role: str
    key: bytes
    range_end: bytes
    def __init__(self, role: _Optional[str] = ..., key: _Optional[bytes] = ..., range_end: _Optional[bytes] = ...) -> None: ...

class AuthEnableCommand(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AuthDisableCommand(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AuthResult(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: ResponseHeader
    def __init__(self, header: _Optional[_Union[ResponseHeader, _Mapping]] = ...) -> None: ...

class OpWeight(_message.Message):
    __slots__ = ("op", "weight")
    OP_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    op: WorkloadOp
    weight: int
    def __init__(self, op: _Optional[_Union[WorkloadOp, str]] = ..., weight: _Optional[int] = ...) -> None: ...

class WorkloadRequest(_message.Message):
    __slots__ = ("endpoints", "clients", "concurrency", "mix", "key_space", "key_distribution", "key_size", "value_size", "key_prefix", "duration_ms", "total_ops", "target_rate", "report_interval_ms", "dial_timeout_ms", "request_timeout_ms", "range_limit", "prefill")
    ENDPOINTS_FIELD_NUMBER: _ClassVar[int]
    CLIENTS_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    MIX_FIELD_NUMBER: _ClassVar[int]
    KEY_SPACE_FIELD_NUMBER: _ClassVar[int]
    KEY_DISTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    KEY_SIZE_FIELD_NUMBER: _ClassVar[int]
    VALUE_SIZE_FIELD_NUMBER: _ClassVar[int]
    KEY_PREFIX_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_OPS_FIELD_NUMBER: _ClassVar[int]
    TARGET_RATE_FIELD_NUMBER: _ClassVar[int]
    REPORT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    DIAL_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    RANGE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    PREFILL_FIELD_NUMBER: _ClassVar[int]
    endpoints: _containers.RepeatedScalarFieldContainer[str]
    clients: int
    concurrency: int
    mix: _containers.RepeatedCompositeFieldContainer[OpWeight]
    key_space: int
    key_distribution: KeyDistribution
    key_size: int
    value_size: int
    key_prefix: bytes
    duration_ms: int
    total_ops: int
    target_rate: float
    report_interval_ms: int
    dial_timeout_ms: int
    request_timeout_ms: int
    range_limit: int
    prefill: bool
    def __init__(self, endpoints: _Optional[_Iterable[str]] = ..., clients: _Optional[int] = ..., concurrency: _Optional[int] = ..., mix: _Optional[_Iterable[_Union[OpWeight, _Mapping]]] = ..., key_space: _Optional[int] = ..., key_distribution: _Optional[_Union[KeyDistribution, str]] = ..., key_size: _Optional[int] = ..., value_size: _Optional[int] = ..., key_prefix: _Optional[bytes] = ..., duration_ms: _Optional[int] = ..., total_ops: _Optional[int] = ..., target_rate: _Optional[float] = ..., report_interval_ms: _Optional[int] = ..., dial_timeout_ms: _Optional[int] = ..., request_timeout_ms: _Optional[int] = ..., range_limit: _Optional[int] = ..., prefill: _Optional[bool] = ...) -> None: ...

class LatencyHistogram(_message.Message):
    __slots__ = ("bucket", "count", "total", "sum_us", "max_us", "min_us")
    BUCKET_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    SUM_US_FIELD_NUMBER: _ClassVar[int]
    MAX_US_FIELD_NUMBER: _ClassVar[int]
    MIN_US_FIELD_NUMBER: _ClassVar[int]
    bucket: _containers.RepeatedScalarFieldContainer[int]
    count: _containers.RepeatedScalarFieldContainer[int]
    total: int
    sum_us: int
    max_us: int
    min_us: int
    def __init__(self, bucket: _Optional[_Iterable[int]] = ..., count: _Optional[_Iterable[int]] = ..., total: _Optional[int] = ..., sum_us: _Optional[int] = ..., max_us: _Optional[int] = ..., min_us: _Optional[int] = ...) -> None: ...

class WorkloadErrorCount(_message.Message):
    __slots__ = ("code", "count", "sample")
    CODE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_FIELD_NUMBER: _ClassVar[int]
    code: ErrorCode
    count: int
    sample: str
    def __init__(self, code: _Optional[_Union[ErrorCode, str]] = ..., count: _Optional[int] = ..., sample: _Optional[str] = ...) -> None: ...

class WorkloadReport(_message.Message):
    __slots__ = ("seq", "final", "elapsed_ms", "interval_ms", "ops", "errors", "latency", "connections", "connect_us", "connect_failures", "cpu_seconds", "rss_bytes", "harness_error", "prefill_ms")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_MS_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    OPS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    CONNECTIONS_FIELD_NUMBER: _ClassVar[int]
    CONNECT_US_FIELD_NUMBER: _ClassVar[int]
    CONNECT_FAILURES_FIELD_NUMBER: _ClassVar[int]
    CPU_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RSS_BYTES_FIELD_NUMBER: _ClassVar[int]
    HARNESS_ERROR_FIELD_NUMBER: _ClassVar[int]
    PREFILL_MS_FIELD_NUMBER: _ClassVar[int]
    seq: int
    final: bool
    elapsed_ms: int
    interval_ms: int
    ops: int
    errors: _containers.RepeatedCompositeFieldContainer[WorkloadErrorCount]
    latency: LatencyHistogram
    connections: int
    connect_us: _containers.RepeatedScalarFieldContainer[int]
    connect_failures: int
    cpu_seconds: float
    rss_bytes: int
    harness_error: str
    prefill_ms: int
    def __init__(self, seq: _Optional[int] = ..., final: _Optional[bool] = ..., elapsed_ms: _Optional[int] = ..., interval_ms: _Optional[int] = ..., ops: _Optional[int] = ..., errors: _Optional[_Iterable[_Union[WorkloadErrorCount, _Mapping]]] = ..., latency: _Optional[_Union[LatencyHistogram, _Mapping]] = ..., connections: _Optional[int] = ..., connect_us: _Optional[_Iterable[int]] = ..., connect_failures: _Optional[int] = ..., cpu_seconds: _Optional[float] = ..., rss_bytes: _Optional[int] = ..., harness_error: _Optional[str] = ..., prefill_ms: _Optional[int] = ...) -> None: ...

class StmAdd(_message.Message):
    __slots__ = ("key", "delta")
    KEY_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    delta: int
    def __init__(self, key: _Optional[bytes] = ..., delta: _Optional[int] = ...) -> None: ...

class StmCommand(_message.Message):
    __slots__ = ("adds", "isolation", "max_attempts", "timeout_ms", "read_signal", "write_wait", "write_wait_timeout_ms")
    ADDS_FIELD_NUMBER: _ClassVar[int]
    ISOLATION_FIELD_NUMBER: _ClassVar[int]
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    READ_SIGNAL_FIELD_NUMBER: _ClassVar[int]
    WRITE_WAIT_FIELD_NUMBER: _ClassVar[int]
    WRITE_WAIT_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    adds: _containers.RepeatedCompositeFieldContainer[StmAdd]
    isolation: StmIsolation
    max_attempts: int
    timeout_ms: int
    read_signal: str
    write_wait: str
    write_wait_timeout_ms: int
    def __init__(self, adds: _Optional[_Iterable[_Union[StmAdd, _Mapping]]] = ..., isolation: _Optional[_Union[StmIsolation, str]] = ..., max_attempts: _Optional[int] = ..., timeout_ms: _Optional[int] = ..., read_signal: _Optional[str] = ..., write_wait: _Optional[str] = ..., write_wait_timeout_ms: _Optional[int] = ...) -> None: ...

class StmValue(_message.Message):
    __slots__ = ("key", "value", "present")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    PRESENT_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    value: bytes
    present: bool
    def __init__(self, key: _Optional[bytes] = ..., value: _Optional[bytes] = ..., present: _Optional[bool] = ...) -> None: ...

class StmResult(_message.Message):
    __slots__ = ("attempts", "reads", "writes", "header", "wait_released")
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    READS_FIELD_NUMBER: _ClassVar[int]
    WRITES_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    WAIT_RELEASED_FIELD_NUMBER: _ClassVar[int]
    attempts: int
    reads: _containers.RepeatedCompositeFieldContainer[StmValue]
    writes: _containers.RepeatedCompositeFieldContainer[StmValue]
    header: ResponseHeader
    wait_released: bool
    def __init__(self, attempts: _Optional[int] = ..., reads: _Optional[_Iterable[_Union[StmValue, _Mapping]]] = ..., writes: _Optional[_Iterable[_Union[StmValue, _Mapping]]] = ..., header: _Optional[_Union[ResponseHeader, _Mapping]] = ..., wait_released: _Optional[bool] = ...) -> None: ...
