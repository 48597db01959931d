//! askpro's Retell signature check against every vector in
//! `shared/reference/retell-fixtures/signatures.json` (verdicts of the official Python SDK),
//! and against the official SDK itself through `shared/tools/retell-sign`: what the SDK signs,
//! askpro accepts; what askpro signs, the SDK accepts.

use std::path::{Path, PathBuf};
use std::process::Command;

use askpro::daemon::signature::{self, SignatureError};
use serde_json::Value;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

#[test]
fn every_reference_vector() {
    let path = shared().join("reference/retell-fixtures/signatures.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("signatures.json")).unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 16, "expected 8 positive and 8 negative vectors");
    for v in vectors {
        let input = &v["verify"];
        let got = signature::verify(
            input["body"].as_str().unwrap().as_bytes(),
            input["api_key"].as_str().unwrap(),
            input["header_value"].as_str(),
            input["now_ms"].as_i64().unwrap(),
        );
        let want = v["python_sdk_verify"].as_bool().unwrap();
        assert_eq!(got.is_ok(), want, "{}: {} ({got:?})", v["id"], v["description"]);
        // Where askpro signs the same body and timestamp, it writes the SDK's header.
        if v["kind"] == "positive" {
            let made = signature::sign(
                v["body"].as_str().unwrap().as_bytes(),
                v["api_key"].as_str().unwrap(),
                v["timestamp_ms"].as_i64().unwrap(),
            );
            assert_eq!(made, v["header_value"].as_str().unwrap(), "{}", v["id"]);
        }
    }
    // The reasons, for the logs: a stale vector is out of window, a wrong key a mismatch.
    let find = |id: &str| vectors.iter().find(|v| v["id"] == id).unwrap()["verify"].clone();
    let stale = find("neg-03-stale");
    let wrong = find("neg-01-wrong-key");
    let check = |v: &Value| {
        signature::verify(
            v["body"].as_str().unwrap().as_bytes(),
            v["api_key"].as_str().unwrap(),
            v["header_value"].as_str(),
            v["now_ms"].as_i64().unwrap(),
        )
    };
    assert_eq!(check(&stale), Err(SignatureError::OutOfWindow));
    assert_eq!(check(&wrong), Err(SignatureError::Mismatch));
}

/// The official SDK is needed for this one; CI installs it (`.ci/run`). Elsewhere it is skipped
/// with a note when `retell-sdk` is missing.
#[test]
fn the_official_sdk_and_askpro_agree() {
    let tool = shared().join("tools/retell-sign");
    let sdk =
        Command::new("python3").args(["-c", "import retell"]).output().map(|o| o.status.success()).unwrap_or(false);
    if !sdk {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI must install retell-sdk (pip install retell-sdk)");
        eprintln!("note: python3 cannot import retell (pip install retell-sdk); skipping the SDK cross-check");
        return;
    }
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
    for (i, body) in bodies.iter().enumerate() {
        let file = dir.path().join(format!("body{i}.json"));
        std::fs::write(&file, body).unwrap();
        let now = askpro::store::now_ms();
        // The SDK signs; askpro verifies.
        let out = Command::new("python3")
            .arg(&tool)
            .args(["--key", key, "--body"])
            .arg(&file)
            .args(["--timestamp", &now.to_string()])
            .output()
            .unwrap();
        assert!(out.status.success(), "retell-sign failed: {}", String::from_utf8_lossy(&out.stderr));
        let header = String::from_utf8(out.stdout).unwrap().trim().to_string();
        assert_eq!(signature::verify(body.as_bytes(), key, Some(&header), now), Ok(()), "body {i}");
        assert_eq!(header, signature::sign(body.as_bytes(), key, now), "body {i}: the same header");
        assert!(signature::verify(body.as_bytes(), "another key", Some(&header), now).is_err());
        // askpro signs; the SDK verifies (and refuses a tampered body).
        let ours = signature::sign(body.as_bytes(), key, now);
        let verdict = |file: &Path| {
            let out = Command::new("python3")
                .arg(&tool)
                .args(["--key", key, "--body"])
                .arg(file)
                .args(["--verify", &ours, "--now", &now.to_string(), "--no-json-check"])
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        };
        assert_eq!(verdict(&file), "valid", "body {i}");
        let tampered = dir.path().join(format!("tampered{i}.json"));
        std::fs::write(&tampered, format!("{body} ")).unwrap();
        assert_eq!(verdict(&tampered), "invalid", "body {i}");
    }
}
