//! Client-credentials issue and verify per algorithm, and `check_access`.
//!
//! `cargo bench -p iamkit --bench tokens`
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use iamkit::{Actor, Algorithm, CreatedApp, Engine, NewApp, OwnerSid, SigningKey, TokenRequest};

fn setup(key: SigningKey) -> (Engine, CreatedApp, TokenRequest) {
    let engine = Engine::builder().signing_key(key).build().expect("engine");
    let org = engine.create_organization("Bench").expect("organization");
    let app = engine
        .create_app(
            NewApp::client_credentials(
                OwnerSid::Organization(org.sid),
                "bench",
                &["managed-users/list", "managed-users/read"],
            ),
            &Actor::admin(),
        )
        .expect("app");
    let request = TokenRequest::client_credentials(
        &app.app.client_id.to_string(),
        app.client_secret.expose(),
    );
    (engine, app, request)
}

fn keys() -> Vec<SigningKey> {
    let mut keys: Vec<SigningKey> = [Algorithm::HS256, Algorithm::ES256, Algorithm::EdDSA]
        .into_iter()
        .map(|a| SigningKey::generate(a).expect("key"))
        .collect();
    keys.push(
        SigningKey::rs256_from_pem(include_str!("../tests/fixtures/rs256-test-key.pem"))
            .expect("RS256 key"),
    );
    keys
}

fn tokens(c: &mut Criterion) {
    let mut group = c.benchmark_group("client_credentials");
    group.throughput(Throughput::Elements(1));
    for key in keys() {
        let alg = key.algorithm().as_str();
        let (engine, _app, request) = setup(key);
        group.bench_function(BenchmarkId::new("issue", alg), |b| {
            b.iter(|| engine.token(&request).expect("token"))
        });
        let token = engine.token(&request).expect("token");
        group.bench_function(BenchmarkId::new("verify", alg), |b| {
            b.iter(|| engine.verify(token.access_token.expose()).expect("valid"))
        });
        group.bench_function(BenchmarkId::new("issue+verify", alg), |b| {
            b.iter(|| {
                let t = engine.token(&request).expect("token");
                engine.verify(t.access_token.expose()).expect("valid")
            })
        });
        group.bench_function(BenchmarkId::new("check_access", alg), |b| {
            b.iter(|| {
                engine
                    .check_access(token.access_token.expose(), "GET", "/scim/v2/Users")
                    .expect("allowed")
            })
        });
    }
    group.finish();
}

fn ring_baseline(c: &mut Criterion) {
    use ring::rand::SystemRandom;
    use ring::signature::{
        EcdsaKeyPair, KeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED,
        ECDSA_P256_SHA256_FIXED_SIGNING,
    };
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("key");
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .expect("key");
    let public = pair.public_key().as_ref().to_vec();
    let message = [7u8; 300];
    c.bench_function("ring/p256_sign+verify", |b| {
        b.iter(|| {
            let sig = pair.sign(&rng, &message).expect("sign");
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &public)
                .verify(&message, sig.as_ref())
                .expect("verify")
        })
    });
}

criterion_group!(benches, tokens, ring_baseline);
criterion_main!(benches);
