package dev.etcdfit.performer.jetcd.sdk;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Response;
import io.etcd.jetcd.auth.Permission;

import com.google.protobuf.ByteString;

import etcdfit.performer.v1.Performer.AuthResult;
import etcdfit.performer.v1.Performer.Command;
import etcdfit.performer.v1.Performer.CommandOk;
import etcdfit.performer.v1.Performer.CommandResult;
import etcdfit.performer.v1.Performer.HarnessError;

/**
 * The auth management commands (auth.manage; docs/security.md) through jetcd's
 * {@link Auth} client (Client.getAuthClient()): one call per command, bounded by the
 * request timeout like every other call. jetcd's Auth has no authenticate call (the
 * client authenticates by itself with ClientBuilder.user/password), so auth.authenticate
 * is not claimed, and userAdd(name, password) has no no_password option.
 */
final class AuthCommands {
    private final SdkClient sdk;
    private final Auth auth;

    AuthCommands(SdkClient sdk, Auth auth) {
        this.sdk = sdk;
        this.auth = auth;
    }

    private static ByteSequence bs(String s) {
        return ByteSequence.from(ByteString.copyFromUtf8(s));
    }

    private static ByteSequence bs(ByteString b) {
        return ByteSequence.from(b);
    }

    private static AuthResult result(Response r) {
        return AuthResult.newBuilder().setHeader(Convert.header(r.getHeader())).build();
    }

    /** Runs `cmd` if it is an auth command; null otherwise. */
    CommandResult run(Command cmd) throws InterruptedException {
        switch (cmd.getCommandCase()) {
            case AUTHENTICATE:
                return Results.harness(HarnessError.Kind.UNIMPLEMENTED,
                    "authenticate: jetcd's Auth interface has no authenticate call (capability auth.authenticate not claimed)");
            case USER_ADD: {
                var c = cmd.getUserAdd();
                if (c.getNoPassword()) {
                    return Results.harness(HarnessError.Kind.UNIMPLEMENTED,
                        "user_add no_password: jetcd's Auth.userAdd(name, password) has no options");
                }
                return sdk.call(() -> auth.userAdd(bs(c.getName()), bs(c.getPassword())),
                    r -> CommandOk.newBuilder().setUserAdd(result(r)).build());
            }
            case USER_DELETE: {
                var c = cmd.getUserDelete();
                return sdk.call(() -> auth.userDelete(bs(c.getName())),
                    r -> CommandOk.newBuilder().setUserDelete(result(r)).build());
            }
            case USER_CHANGE_PASSWORD: {
                var c = cmd.getUserChangePassword();
                return sdk.call(() -> auth.userChangePassword(bs(c.getName()), bs(c.getPassword())),
                    r -> CommandOk.newBuilder().setUserChangePassword(result(r)).build());
            }
            case USER_GRANT_ROLE: {
                var c = cmd.getUserGrantRole();
                return sdk.call(() -> auth.userGrantRole(bs(c.getUser()), bs(c.getRole())),
                    r -> CommandOk.newBuilder().setUserGrantRole(result(r)).build());
            }
            case USER_REVOKE_ROLE: {
                var c = cmd.getUserRevokeRole();
                return sdk.call(() -> auth.userRevokeRole(bs(c.getUser()), bs(c.getRole())),
                    r -> CommandOk.newBuilder().setUserRevokeRole(result(r)).build());
            }
            case ROLE_ADD: {
                var c = cmd.getRoleAdd();
                return sdk.call(() -> auth.roleAdd(bs(c.getName())),
                    r -> CommandOk.newBuilder().setRoleAdd(result(r)).build());
            }
            case ROLE_GRANT_PERMISSION: {
                var c = cmd.getRoleGrantPermission();
                Permission.Type type;
                switch (c.getPerm()) {
                    case PERMISSION_TYPE_READ: type = Permission.Type.READ; break;
                    case PERMISSION_TYPE_WRITE: type = Permission.Type.WRITE; break;
                    case PERMISSION_TYPE_READWRITE: type = Permission.Type.READWRITE; break;
                    default:
                        return Results.harness(HarnessError.Kind.BAD_REQUEST, "unknown permission type " + c.getPermValue());
                }
                return sdk.call(() -> auth.roleGrantPermission(bs(c.getRole()), bs(c.getKey()), bs(c.getRangeEnd()), type),
                    r -> CommandOk.newBuilder().setRoleGrantPermission(result(r)).build());
            }
            case ROLE_REVOKE_PERMISSION: {
                var c = cmd.getRoleRevokePermission();
                return sdk.call(() -> auth.roleRevokePermission(bs(c.getRole()), bs(c.getKey()), bs(c.getRangeEnd())),
                    r -> CommandOk.newBuilder().setRoleRevokePermission(result(r)).build());
            }
            case AUTH_ENABLE:
                return sdk.call(auth::authEnable, r -> CommandOk.newBuilder().setAuthEnable(result(r)).build());
            case AUTH_DISABLE:
                return sdk.call(auth::authDisable, r -> CommandOk.newBuilder().setAuthDisable(result(r)).build());
            default:
                return null;
        }
    }
}
