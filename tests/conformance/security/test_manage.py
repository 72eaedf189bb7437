"""User and role management through the SDK (auth.manage), seen by the oracle, and refused to a
user that is not root."""

from __future__ import annotations

import pytest
from security_common import connect

from etcdfit.auth import (
    authenticate,
    role_add,
    role_grant_permission,
    role_revoke_permission,
    user_add,
    user_change_password,
    user_delete,
    user_grant_role,
    user_revoke_role,
)
from etcdfit.oracle import prefix_end
from etcdfit.program import put
from etcdfit.servers.security import ROOT_PASSWORD

pytestmark = [pytest.mark.server(auth="simple"), pytest.mark.requires("auth.basic")]


@pytest.mark.requires("auth.manage")
def test_users_and_roles_made_through_the_sdk_are_seen_by_the_oracle(performer, secure_etcd, ns):
    tag = ns.prefix.hex()[-16:]
    role, user = f"r-{tag}", f"u-{tag}"
    root = connect(performer, secure_etcd, user="root", password=ROOT_PASSWORD)
    root.run(role_add(role), role_grant_permission(role, ns.key("p/"), prefix=True, perm="readwrite"),
             user_add(user, "pw1"), user_grant_role(user, role))
    [perm] = secure_etcd.oracle.role_permissions(role)
    assert (perm.key, perm.range_end, perm.permType) == (ns.key("p/"), prefix_end(ns.key("p/")), 2)
    assert secure_etcd.oracle.user_roles(user) == [role]
    root.run(user_change_password(user, "pw2"))
    secure_etcd.oracle.authenticate(user, "pw2")
    root.run(role_revoke_permission(role, ns.key("p/"), prefix=True), user_revoke_role(user, role))
    assert secure_etcd.oracle.role_permissions(role) == []
    assert secure_etcd.oracle.user_roles(user) == []
    root.run(user_delete(user))
    with pytest.raises(Exception, match="user name not found"):
        secure_etcd.oracle.user_roles(user)
    secure_etcd.oracle.role_delete(role)


@pytest.mark.requires("auth.manage", "kv.put")
def test_management_by_a_user_that_is_not_root_is_denied(performer, secure_etcd, ns):
    tag = ns.prefix.hex()[-16:]
    user = secure_etcd.user(f"u-{tag}", "pw", secure_etcd.role(f"r-{tag}", readwrite=[ns.key("")]))
    sdk = connect(performer, secure_etcd, user=user, password="pw")
    sdk.run(put(ns.key("a"), "1"), role_add(f"x-{tag}").expect_error("PERMISSION_DENIED"),
            user_add(f"x-{tag}", "pw").expect_error("PERMISSION_DENIED"))


@pytest.mark.requires("auth.authenticate")
def test_authenticate_gives_a_token_for_the_right_password_only(performer, secure_etcd, ns):
    user = secure_etcd.user(f"u-{ns.prefix.hex()[-16:]}", "pw")
    sdk = connect(performer, secure_etcd, user=user, password="pw")
    sdk.run(authenticate(user, "pw").expect(has_token=True), authenticate(user, "wrong").expect_error("AUTH_FAILED"))
