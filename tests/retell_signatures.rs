//! askpro's Retell signature check against cases made and judged by Retell's official Python
//! SDK (`tests/fixtures/retell/signatures.json`), and against the SDK itself through
//! `tests/retell_sign.py`: what the SDK signs, askpro accepts; what askpro signs, the SDK accepts.

mod common;

use std::path::Path;
use std::process::Command;

use askpro::signatures::retell::{self as signature, SignatureError};
use serde_json::Value;

fn verify(v: &Value) -> Result<(), SignatureError> {
    signature::verify(
        v["body"].as_str().unwrap().as_bytes(),
        v["api_key"].as_str().unwrap(),
        v["header"].as_str(),
        v["now_ms"].as_i64().unwrap(),
    )
}

#[test]
fn askpro_judges_every_case_as_the_sdk_does() {
    let doc: Value = serde_json::from_slice(&common::fixture("retell/signatures.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 16, "expected at least 8 accepted and 8 refused cases");
    for case in cases {
        let want = case["verify"]["sdk_accepts"].as_bool().unwrap();
        let got = verify(&case["verify"]);
        assert_eq!(got.is_ok(), want, "{}: {} ({got:?})", case["id"], case["description"]);
        // askpro signing the same body at the same time writes the SDK's header.
        let signed = &case["signed"];
        let made = signature::sign(
            signed["body"].as_str().unwrap().as_bytes(),
            signed["api_key"].as_str().unwrap(),
            signed["timestamp_ms"].as_i64().unwrap(),
        );
        assert_eq!(made, signed["header"].as_str().unwrap(), "{}", case["id"]);
    }
    // The reasons, for the logs: a stale signature is out of the window, a wrong key a mismatch.
    let case = |id: &str| cases.iter().find(|c| c["id"] == id).unwrap()["verify"].clone();
    assert_eq!(verify(&case("bad-stale")), Err(SignatureError::OutOfWindow));
    assert_eq!(verify(&case("bad-future")), Err(SignatureError::OutOfWindow));
    assert_eq!(verify(&case("bad-key")), Err(SignatureError::Mismatch));
}

#[test]
fn the_official_sdk_and_askpro_agree() {
    let Some(signer) = common::retell_sdk_signer() else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = "key_askpro_sdk_cross_check_0042";
    let bodies = [
        r#"{"event":"call_ended","call":{"call_id":"call_x","transcript":"Agent: Schönen Tag – bis Freitag!"}}"#
            .to_string(),
        format!(
            r#"{{"name":"check_availability","args":{{"datum":"morgen"}},"call":{{"pad":"{}"}}}}"#,
            "x".repeat(15_000)
        ),
        "{}".to_string(),
    ];
    let now = askpro::store::now_ms();
    let files: Vec<_> = bodies
        .iter()
        .enumerate()
        .flat_map(|(i, body)| {
            let (file, tampered) =
                (dir.path().join(format!("body{i}.json")), dir.path().join(format!("tampered{i}.json")));
            std::fs::write(&file, body).unwrap();
            std::fs::write(&tampered, format!("{body} ")).unwrap();
            [file, tampered]
        })
        .collect();
    let sdk = |args: &[String]| -> Vec<String> {
        let out = Command::new("python3").arg(&signer).args(args).output().expect("run python3");
        assert!(out.status.success(), "retell_sign.py: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
    };
    let arg = |p: &Path| p.to_str().unwrap().to_string();
    let key_args = || vec!["--key".to_string(), key.to_string()];

    // The SDK signs; askpro verifies, and writes the same header.
    let mut args = [vec!["sign".to_string()], key_args(), vec!["--timestamp".into(), now.to_string()]].concat();
    args.extend(files.iter().step_by(2).flat_map(|f| ["--body".to_string(), arg(f)]));
    let headers = sdk(&args);
    assert_eq!(headers.len(), bodies.len());
    for (i, (body, header)) in bodies.iter().zip(&headers).enumerate() {
        assert_eq!(signature::verify(body.as_bytes(), key, Some(header), now), Ok(()), "body {i}");
        assert_eq!(header, &signature::sign(body.as_bytes(), key, now), "body {i}: the same header");
        assert!(signature::verify(body.as_bytes(), "another key", Some(header), now).is_err());
    }

    // askpro signs; the SDK verifies each body, and refuses each tampered copy.
    let mut args = [vec!["verify".to_string()], key_args(), vec!["--now".into(), now.to_string()]].concat();
    for (i, body) in bodies.iter().enumerate() {
        let ours = signature::sign(body.as_bytes(), key, now);
        for file in &files[2 * i..2 * i + 2] {
            args.extend(["--body".to_string(), arg(file), "--header".to_string(), ours.clone()]);
        }
    }
    assert_eq!(sdk(&args), ["valid", "invalid"].repeat(bodies.len()));
}
