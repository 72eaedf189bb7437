"""Builders for the auth commands (performer.proto, section "auth"): each is one call of the
SDK's own auth API. Capabilities: auth.authenticate for `authenticate`, auth.manage for the rest.

    sdk.run(role_add(r), role_grant_permission(r, ns.key(""), prefix=True, perm="read"),
            user_add(u, "pw"), user_grant_role(u, r))
"""

from __future__ import annotations

from .gen.etcdfit.performer.v1 import performer_pb2 as pb
from .oracle import prefix_end
from .program import Cmd, Key, _b, _cmd, _enum


def authenticate(name: str, password: str) -> Cmd:
    return _cmd(authenticate=pb.AuthenticateCommand(name=name, password=password))


def user_add(name: str, password: str = "", *, no_password: bool = False) -> Cmd:
    return _cmd(user_add=pb.UserAddCommand(name=name, password=password, no_password=no_password))


def user_delete(name: str) -> Cmd:
    return _cmd(user_delete=pb.UserDeleteCommand(name=name))


def user_change_password(name: str, password: str) -> Cmd:
    return _cmd(user_change_password=pb.UserChangePasswordCommand(name=name, password=password))


def user_grant_role(user: str, role: str) -> Cmd:
    return _cmd(user_grant_role=pb.UserGrantRoleCommand(user=user, role=role))


def user_revoke_role(user: str, role: str) -> Cmd:
    return _cmd(user_revoke_role=pb.UserRevokeRoleCommand(user=user, role=role))


def role_add(name: str) -> Cmd:
    return _cmd(role_add=pb.RoleAddCommand(name=name))


def _span(key: Key, prefix: bool, range_end: Key | None) -> tuple[bytes, bytes]:
    k = _b(key, "permission: key")
    if prefix:
        return k, prefix_end(k)
    return k, _b(range_end, "permission: range_end") if range_end is not None else b""


def role_grant_permission(role: str, key: Key, *, prefix: bool = False, range_end: Key | None = None,
                          perm: str = "read") -> Cmd:
    """Grant `perm` (read, write, readwrite) on a key, every key under a prefix, or [key, range_end)."""
    k, end = _span(key, prefix, range_end)
    return _cmd(role_grant_permission=pb.RoleGrantPermissionCommand(
        role=role, key=k, range_end=end, perm=_enum(pb.PermissionType, "PERMISSION_TYPE_", perm)))


def role_revoke_permission(role: str, key: Key, *, prefix: bool = False, range_end: Key | None = None) -> Cmd:
    k, end = _span(key, prefix, range_end)
    return _cmd(role_revoke_permission=pb.RoleRevokePermissionCommand(role=role, key=k, range_end=end))


def auth_enable() -> Cmd:
    return _cmd(auth_enable=pb.AuthEnableCommand())


def auth_disable() -> Cmd:
    return _cmd(auth_disable=pb.AuthDisableCommand())
