package etcdsdk

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	ppb "etcdfit.dev/performers/go-clientv3/gen/performerv1"
)

// TLSConfig is the *tls.Config an application would give clientv3.Config.TLS:
// the CA it trusts, an optional client certificate, an optional server name.
// nil when ca is empty (plaintext). An error means the request's PEM is bad.
func TLSConfig(ca, cert, key []byte, serverName string) (*tls.Config, error) {
	if len(ca) == 0 {
		if len(cert) != 0 || len(key) != 0 || serverName != "" {
			return nil, errors.New("tls_cert_pem, tls_key_pem and tls_server_name need tls_ca_pem")
		}
		return nil, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, errors.New("tls_ca_pem holds no PEM certificate")
	}
	cfg := &tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12}
	if len(cert) != 0 || len(key) != 0 {
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, errors.New("tls_cert_pem/tls_key_pem: " + err.Error())
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// runAuth carries out an auth command through clientv3's Auth interface; ok is
// false for a command that is not an auth command.
func (cl *Client) runAuth(cmd *ppb.Command) (res *ppb.CommandResult, ok bool) {
	var f func(ctx context.Context) (*pb.ResponseHeader, error)
	var wrap func(*ppb.AuthResult) *ppb.CommandOk
	c := cl.c
	switch x := cmd.GetCommand().(type) {
	case *ppb.Command_Authenticate:
		ctx, cancel := cl.callCtx()
		defer cancel()
		call := Now()
		resp, err := authenticate(ctx, c, x.Authenticate.Name, x.Authenticate.Password)
		ret := Now()
		if err != nil {
			return sdkErrResult(call, ret, err), true
		}
		return okResult(call, ret, &ppb.CommandOk{Payload: &ppb.CommandOk_Authenticate{Authenticate: &ppb.AuthenticateResult{
			Header: header(resp.Header), HasToken: resp.Token != "",
		}}}), true
	case *ppb.Command_UserAdd:
		u := x.UserAdd
		f = func(ctx context.Context) (*pb.ResponseHeader, error) {
			if u.NoPassword {
				r, err := c.UserAddWithOptions(ctx, u.Name, u.Password, &clientv3.UserAddOptions{NoPassword: true})
				return hdr((*pb.AuthUserAddResponse)(r), err)
			}
			r, err := c.UserAdd(ctx, u.Name, u.Password)
			return hdr((*pb.AuthUserAddResponse)(r), err)
		}
		wrap = func(r *ppb.AuthResult) *ppb.CommandOk {
			return &ppb.CommandOk{Payload: &ppb.CommandOk_UserAdd{UserAdd: r}}
		}
	case *ppb.Command_UserDelete:
		f = func(ctx context.Context) (*pb.ResponseHeader, error) {
			r, err := c.UserDelete(ctx, x.UserDelete.Name)
			return hdr((*pb.AuthUserDeleteResponse)(r), err)
		}
		wrap = func(r *ppb.AuthResult) *ppb.CommandOk {
			return &ppb.CommandOk{Payload: &ppb.CommandOk_UserDelete{UserDelete: r}}
		}
	case *ppb.Command_UserChangePassword:
		f = func(ctx context.Context) (*pb.ResponseHeader, error) {
			r, err := c.UserChangePassword(ctx, x.UserChangePassword.Name, x.UserChangePassword.Password)
			return hdr((*pb.AuthUserChangePasswordResponse)(r), err)
		}
		wrap = func(r *ppb.AuthResult) *ppb.CommandOk {
			return &ppb.CommandOk{Payload: &ppb.CommandOk_UserChangePassword{UserChangePassword: r}}
		}
	case *ppb.Command_UserGrantRole:
		f = func(ctx context.Context) (*pb.ResponseHeader, error) {
			r, err := c.UserGrantRole(ctx, x.UserGrantRole.User, x.UserGrantRole.Role)
			return hdr((*pb.AuthUserGrantRoleResponse)(r), err)
		}
		wrap = func(r *ppb.AuthResult) *ppb.CommandOk {
			return &ppb.CommandOk{Payload: &ppb.CommandOk_UserGrantRole{UserGrantRole: r}}
		}
	case *ppb.Command_UserRevokeRole:
		f = func(ctx context.Context) (*pb.ResponseHeader, error) {
			r, err := c.UserRevokeRole(ctx, x.UserRevokeRole.User, x.UserRevokeRole.Role)
			return hdr((*pb.AuthUserRevokeRoleResponse)(r), err)
		}
		wrap = func(r *ppb.AuthResult) *ppb.CommandOk {
			return &ppb.CommandOk{Payload: &ppb.CommandOk_UserRevokeRole{UserRevokeRole: r}}
		}
	case *ppb.Command_RoleAdd:
		f = func(ctx context.Context) (*pb.ResponseHeader, error) {
			r, err := c.RoleAdd(ctx, x.RoleAdd.Name)
			return hdr((*pb.AuthRoleAddResponse)(r), err)
		}
		wrap = func(r *ppb.AuthResult) *ppb.CommandOk {
			return &ppb.CommandOk{Payload: &ppb.CommandOk_RoleAdd{RoleAdd: r}}
		}
	case *ppb.Command_RoleGrantPermission:
		g := x.RoleGrantPermission
		f = func(ctx context.Context) (*pb.ResponseHeader, error) {
			r, err := c.RoleGrantPermission(ctx, g.Role, string(g.Key), string(g.RangeEnd), clientv3.PermissionType(g.Perm))
			return hdr((*pb.AuthRoleGrantPermissionResponse)(r), err)
		}
		wrap = func(r *ppb.AuthResult) *ppb.CommandOk {
			return &ppb.CommandOk{Payload: &ppb.CommandOk_RoleGrantPermission{RoleGrantPermission: r}}
		}
	case *ppb.Command_RoleRevokePermission:
		g := x.RoleRevokePermission
		f = func(ctx context.Context) (*pb.ResponseHeader, error) {
			r, err := c.RoleRevokePermission(ctx, g.Role, string(g.Key), string(g.RangeEnd))
			return hdr((*pb.AuthRoleRevokePermissionResponse)(r), err)
		}
		wrap = func(r *ppb.AuthResult) *ppb.CommandOk {
			return &ppb.CommandOk{Payload: &ppb.CommandOk_RoleRevokePermission{RoleRevokePermission: r}}
		}
	case *ppb.Command_AuthEnable:
		f = func(ctx context.Context) (*pb.ResponseHeader, error) {
			r, err := c.AuthEnable(ctx)
			return hdr((*pb.AuthEnableResponse)(r), err)
		}
		wrap = func(r *ppb.AuthResult) *ppb.CommandOk {
			return &ppb.CommandOk{Payload: &ppb.CommandOk_AuthEnable{AuthEnable: r}}
		}
	case *ppb.Command_AuthDisable:
		f = func(ctx context.Context) (*pb.ResponseHeader, error) {
			r, err := c.AuthDisable(ctx)
			return hdr((*pb.AuthDisableResponse)(r), err)
		}
		wrap = func(r *ppb.AuthResult) *ppb.CommandOk {
			return &ppb.CommandOk{Payload: &ppb.CommandOk_AuthDisable{AuthDisable: r}}
		}
	default:
		return nil, false
	}
	ctx, cancel := cl.callCtx()
	defer cancel()
	call := Now()
	h, err := f(ctx)
	ret := Now()
	if err != nil {
		return sdkErrResult(call, ret, err), true
	}
	return okResult(call, ret, wrap(&ppb.AuthResult{Header: header(h)})), true
}

// headered is every clientv3 auth response: each is an alias of an
// etcdserverpb response with a Header.
type headered interface{ GetHeader() *pb.ResponseHeader }

func hdr[T headered](r T, err error) (*pb.ResponseHeader, error) {
	if err != nil {
		return nil, err
	}
	return r.GetHeader(), nil
}
