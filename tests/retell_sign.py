#!/usr/bin/env python3
"""Signs and verifies bodies with Retell's official Python SDK (`pip install retell-sdk`), so
that askpro's X-Retell-Signature code is checked by a peer that askpro did not write.

  retell_sign.py sign --key K [--timestamp MS] --body FILE...            a header value per body
  retell_sign.py verify --key K --now MS (--body FILE --header H)...      valid or invalid per body
  retell_sign.py vectors                          prints tests/fixtures/retell/signatures.json

Bodies are signed byte for byte as they are in the files; several in one run, because the SDK
takes seconds to import. Exit code 3 when the SDK is missing.
"""
import argparse
import json
import sys


def sdk():
    try:
        from retell.lib.webhook_auth import symmetric
    except ImportError:
        print("retell_sign.py: the retell-sdk package is not installed (pip install retell-sdk)", file=sys.stderr)
        sys.exit(3)
    return symmetric["sign"], lambda body, key, header, now: bool(
        symmetric["verify"](body, key, header, {"timestamp": now})
    )


def vectors(sign, verify):
    """Cases askpro's verifier must judge as the SDK does: the SDK signs, the SDK decides."""
    key, other = "key_vectors_3b9e41d07c5a", "key_vectors_other_58f2a6"
    ts = 1796000000000
    compact = '{"event":"call_started","call":{"call_id":"call_v1","call_status":"ongoing"}}'
    umlauts = '{"name":"book_appointment","args":{"name":"Jürgen Weiß","wann":"Freitag – 15:30"},"note":"a\\nb"}'
    escaped = json.dumps(json.loads(umlauts), separators=(",", ":"))
    pretty = json.dumps(json.loads(compact), indent=2) + "\n"
    big = json.dumps({"event": "call_ended", "call": {"transcript": "Agent: Hallo. " * 400}})
    cases = []

    def case(id, description, body, sign_key, sign_ts, verify_key=None, now=None, header=None, verify_body=None):
        made = sign(body, sign_key, sign_ts)
        cases.append({
            "id": id,
            "description": description,
            "signed": {"body": body, "api_key": sign_key, "timestamp_ms": sign_ts, "header": made},
            "verify": {
                "body": verify_body if verify_body is not None else body,
                "api_key": verify_key or sign_key,
                "header": header if header is not None else made,
                "now_ms": now if now is not None else sign_ts + 1000,
            },
        })
        v = cases[-1]["verify"]
        v["sdk_accepts"] = verify(v["body"], v["api_key"], v["header"], v["now_ms"])

    case("ok-compact", "compact ASCII body", compact, key, ts)
    case("ok-utf8", "raw UTF-8 and an escaped newline: the HMAC runs over UTF-8 bytes", umlauts, key, ts + 17)
    case("ok-escaped", "the same data with \\u escapes: other bytes, another digest", escaped, key, ts + 17)
    case("ok-pretty", "pretty-printed with a trailing newline: whitespace is signed", pretty, key, ts + 250)
    case("ok-empty", "an empty body: only the timestamp is signed", "", key, ts + 999)
    case("ok-large", "a 6 KB body", big, key, ts + 4321)
    case("ok-other-key", "the compact body under another key", compact, other, ts)
    case("ok-window-edge", "verified exactly five minutes later", compact, key, ts, now=ts + 300000)
    case("bad-key", "verified under another key", compact, key, ts, verify_key=other)
    case("bad-tampered", "the body changed after signing", umlauts, key, ts + 17,
         verify_body=umlauts.replace("Freitag", "Samstag"))
    case("bad-stale", "verified five minutes and a millisecond later", compact, key, ts, now=ts + 300001)
    case("bad-future", "a timestamp five minutes and a millisecond ahead", compact, key, ts, now=ts - 300001)
    case("bad-reserialised", "signed raw, verified on a re-serialised copy", umlauts, key, ts + 17,
         verify_body=escaped)
    made = sign(compact, key, ts)
    case("bad-uppercase", "the right digest in upper-case hex", compact, key, ts,
         header=made.replace("d=", "D=").upper().replace("V=", "v="))
    case("bad-space", "a space after the comma", compact, key, ts, header=made.replace(",", ", "))
    import hashlib
    import hmac
    bare = hmac.new(key.encode(), compact.encode(), hashlib.sha256).hexdigest()
    case("bad-no-timestamp", "a digest of the body alone, without the timestamp", compact, key, ts,
         header=f"v={ts},d={bare}")
    case("bad-missing-digest", "only the timestamp part", compact, key, ts, header=f"v={ts}")
    return {
        "about": "Signatures made and judged by Retell's official Python SDK (retell-sdk), "
                 "written by tests/retell_sign.py vectors.",
        "cases": cases,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sign")
    s.add_argument("--key", required=True)
    s.add_argument("--body", required=True, action="append")
    s.add_argument("--timestamp", type=int)
    v = sub.add_parser("verify")
    v.add_argument("--key", required=True)
    v.add_argument("--body", required=True, action="append")
    v.add_argument("--header", required=True, action="append")
    v.add_argument("--now", type=int, required=True)
    sub.add_parser("vectors")
    args = parser.parse_args()
    sign, verify = sdk()
    if args.command == "vectors":
        json.dump(vectors(sign, verify), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    bodies = []
    for path in args.body:
        with open(path, "rb") as f:
            bodies.append(f.read().decode("utf-8"))
    if args.command == "sign":
        for body in bodies:
            print(sign(body, args.key, args.timestamp))
        return 0
    if len(args.header) != len(bodies):
        parser.error("give one --header per --body")
    for body, header in zip(bodies, args.header):
        print("valid" if verify(body, args.key, header, args.now) else "invalid")
    return 0

if __name__ == "__main__":
    sys.exit(main())
