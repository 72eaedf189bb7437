'use strict';
// Auth commands (auth.authenticate, auth.manage; docs/security.md) through etcd3's own
// API: the fluent client.user(name) / client.role(name) (lib/auth.js User and Role) for
// management, which resolve to the User/Role object and drop etcd's response (the
// header is reported absent); client.auth (the SDK's RPC AuthClient, run through its
// connection pool) for what the fluent API has no method for: authenticate, auth
// enable/disable.

const { BadRequest } = require('./outcomes');
const convert = require('./convert');

const PERMISSION = {
  PERMISSION_TYPE_READ: 'Read',
  PERMISSION_TYPE_WRITE: 'Write',
  PERMISSION_TYPE_READWRITE: 'Readwrite',
};

const ABSENT = { header: convert.header(undefined) };

// The command's key range as etcd3's Role.grant/revoke take it: {key} for one key,
// {range: new Range(start, end)} otherwise.
function range(etcd3, c) {
  const key = Buffer.from(c.key || []);
  const end = Buffer.from(c.range_end || []);
  if (end.length === 0) return { key };
  return { range: new etcd3.Range(key, end) };
}

function install(Session, HANDLERS) {
  Session.prototype.doAuthenticate = async function doAuthenticate(c, t) {
    const r = await this.rpcCall(t, 'authenticate: the fluent API authenticates only inside the connection pool',
      () => this.client.auth.authenticate({ name: c.name, password: c.password }, this.co()));
    return { header: convert.header(r.header), has_token: Boolean(r.token) };
  };
  Session.prototype.doUserAdd = async function doUserAdd(c, t) {
    if (c.no_password) throw new BadRequest('user_add no_password: etcd3 User.create(password) has no such option');
    await t.call(() => this.client.user(c.name).create(c.password, this.co()));
    return ABSENT;
  };
  Session.prototype.doUserDelete = async function doUserDelete(c, t) {
    await t.call(() => this.client.user(c.name).delete(this.co()));
    return ABSENT;
  };
  Session.prototype.doUserChangePassword = async function doUserChangePassword(c, t) {
    await t.call(() => this.client.user(c.name).setPassword(c.password, this.co()));
    return ABSENT;
  };
  Session.prototype.doUserGrantRole = async function doUserGrantRole(c, t) {
    await t.call(() => this.client.user(c.user).addRole(c.role, this.co()));
    return ABSENT;
  };
  Session.prototype.doUserRevokeRole = async function doUserRevokeRole(c, t) {
    await t.call(() => this.client.user(c.user).removeRole(c.role, this.co()));
    return ABSENT;
  };
  Session.prototype.doRoleAdd = async function doRoleAdd(c, t) {
    await t.call(() => this.client.role(c.name).create(this.co()));
    return ABSENT;
  };
  Session.prototype.doRoleGrantPermission = async function doRoleGrantPermission(c, t) {
    const permission = PERMISSION[c.perm];
    if (!permission) throw new BadRequest(`unknown permission type ${c.perm}`);
    const req = { permission, ...range(this.etcd3, c) };
    await t.call(() => this.client.role(c.role).grant(req, this.co()));
    return ABSENT;
  };
  Session.prototype.doRoleRevokePermission = async function doRoleRevokePermission(c, t) {
    // Role.revoke(req) takes no call options (lib/auth.js passes none to
    // roleRevokePermission): the performer's backstop bounds it.
    await t.call(() => this.client.role(c.role).revoke(range(this.etcd3, c)));
    return ABSENT;
  };
  Session.prototype.doAuthEnable = async function doAuthEnable(c, t) {
    const r = await this.rpcCall(t, 'auth enable: the fluent API has no auth enable',
      () => this.client.auth.authEnable(this.co()));
    return { header: convert.header(r.header) };
  };
  Session.prototype.doAuthDisable = async function doAuthDisable(c, t) {
    const r = await this.rpcCall(t, 'auth disable: the fluent API has no auth disable',
      () => this.client.auth.authDisable(this.co()));
    return { header: convert.header(r.header) };
  };
  Object.assign(HANDLERS, {
    authenticate: Session.prototype.doAuthenticate,
    user_add: Session.prototype.doUserAdd,
    user_delete: Session.prototype.doUserDelete,
    user_change_password: Session.prototype.doUserChangePassword,
    user_grant_role: Session.prototype.doUserGrantRole,
    user_revoke_role: Session.prototype.doUserRevokeRole,
    role_add: Session.prototype.doRoleAdd,
    role_grant_permission: Session.prototype.doRoleGrantPermission,
    role_revoke_permission: Session.prototype.doRoleRevokePermission,
    auth_enable: Session.prototype.doAuthEnable,
    auth_disable: Session.prototype.doAuthDisable,
  });
}

module.exports = { install };
