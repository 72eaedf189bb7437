//! The performer protocol (protos/etcdfit/performer/v1/performer.proto), generated
//! at build time by tonic-prost-build (see build.rs).
#![allow(clippy::all, missing_docs)]
tonic::include_proto!("etcdfit.performer.v1");
