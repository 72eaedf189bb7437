//! Auth commands (auth.authenticate, auth.manage) through etcd-client's AuthClient
//! (Client::auth_client): one SDK call per command, under the performer's backstop.

use etcd_client::{Permission, PermissionType, RoleRevokePermissionOptions, UserAddOptions};

use super::{bounded, convert, ok_result, Harness, Session};
use crate::clock::now_ns;
use crate::pb::{self, command::Command, command_ok::Payload, CommandResult};

/// The command's permission in etcd-client's terms: Permission::new(type, key) and
/// with_range_end when the range is more than the key alone.
fn permission(g: &pb::RoleGrantPermissionCommand) -> Result<Permission, Harness> {
    let t = match pb::PermissionType::try_from(g.perm) {
        Ok(pb::PermissionType::Read) => PermissionType::Read,
        Ok(pb::PermissionType::Write) => PermissionType::Write,
        Ok(pb::PermissionType::Readwrite) => PermissionType::Readwrite,
        Err(_) => return Err(Harness::bad_request(format!("unknown permission type {}", g.perm))),
    };
    let p = Permission::new(t, g.key.clone());
    Ok(if g.range_end.is_empty() { p } else { p.with_range_end(g.range_end.clone()) })
}

fn header_of(h: Option<&etcd_client::ResponseHeader>) -> pb::AuthResult {
    pb::AuthResult { header: convert::header(h) }
}

impl Session {
    /// Runs an auth command; None when `cmd` is not one.
    pub async fn run_auth(&mut self, cmd: &Command) -> Option<CommandResult> {
        let mut auth = self.client.auth_client();
        let limit = self.call_limit;
        let call = now_ns();
        macro_rules! unit {
            ($fut:expr, $variant:ident) => {{
                let r = bounded(limit, $fut).await;
                let ret = now_ns();
                match r {
                    Ok(resp) => ok_result(call, ret, Payload::$variant(header_of(resp.header()))),
                    Err(f) => f.result(call, ret, "no answer from the SDK"),
                }
            }};
        }
        Some(match cmd {
            Command::Authenticate(a) => {
                let r = bounded(limit, auth.authenticate(a.name.clone(), a.password.clone())).await;
                let ret = now_ns();
                match r {
                    Ok(resp) => ok_result(
                        call,
                        ret,
                        Payload::Authenticate(pb::AuthenticateResult {
                            header: convert::header(resp.header()),
                            has_token: !resp.token().is_empty(),
                        }),
                    ),
                    Err(f) => f.result(call, ret, "no answer from the SDK"),
                }
            }
            Command::UserAdd(u) => {
                let options = if u.no_password { Some(UserAddOptions::new().with_no_pwd()) } else { None };
                unit!(auth.user_add(u.name.clone(), u.password.clone(), options), UserAdd)
            }
            Command::UserDelete(u) => unit!(auth.user_delete(u.name.clone()), UserDelete),
            Command::UserChangePassword(u) => {
                unit!(auth.user_change_password(u.name.clone(), u.password.clone()), UserChangePassword)
            }
            Command::UserGrantRole(u) => unit!(auth.user_grant_role(u.user.clone(), u.role.clone()), UserGrantRole),
            Command::UserRevokeRole(u) => unit!(auth.user_revoke_role(u.user.clone(), u.role.clone()), UserRevokeRole),
            Command::RoleAdd(r) => unit!(auth.role_add(r.name.clone()), RoleAdd),
            Command::RoleGrantPermission(g) => match permission(g) {
                Ok(p) => unit!(auth.role_grant_permission(g.role.clone(), p), RoleGrantPermission),
                Err(h) => h.result(),
            },
            Command::RoleRevokePermission(r) => {
                let options =
                    if r.range_end.is_empty() { None } else { Some(RoleRevokePermissionOptions::new().with_range_end(r.range_end.clone())) };
                unit!(auth.role_revoke_permission(r.role.clone(), r.key.clone(), options), RoleRevokePermission)
            }
            Command::AuthEnable(_) => unit!(auth.auth_enable(), AuthEnable),
            Command::AuthDisable(_) => unit!(auth.auth_disable(), AuthDisable),
            _ => return None,
        })
    }
}
