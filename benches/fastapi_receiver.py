"""The comparison receiver of Retell's documented Python set-up - FastAPI with the
official SDK's verify - that checks the signature, parses the body and stores nothing.
Started by `cargo bench --bench daemon` as `uvicorn fastapi_receiver:app --workers 2 --loop uvloop
--http httptools`; needs `pip install fastapi 'uvicorn[standard]' retell-sdk`. (Plain uvicorn, h11
on asyncio, stalls each keep-alive request ~40 ms on delayed ACKs on loopback here.)"""
import json
import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from retell.lib import verify

API_KEY = os.environ["RETELL_API_KEY"]
app = FastAPI()


@app.post("/retell/webhook")
async def webhook(request: Request):
    body = (await request.body()).decode("utf-8")
    if not verify(body, API_KEY, request.headers.get("x-retell-signature", "")):
        return JSONResponse({"error": "unauthorized"}, status_code=401)
    event = json.loads(body)
    _ = (event["event"], event["call"]["call_id"])
    return JSONResponse({"status": "ok"})
