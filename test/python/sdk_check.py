"""Drives a live Tollgate with the official Python openai SDK; prints one JSON line of findings."""
import json
import sys

import openai

base_url, model = sys.argv[1], sys.argv[2]
client = openai.OpenAI(base_url=base_url, api_key="anything", max_retries=0)
out = {}

r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "from python"}])
out["text"] = r.choices[0].message.content
out["usage"] = r.usage.completion_tokens

text = ""
usage = None
for chunk in client.chat.completions.create(model=model, stream=True, stream_options={"include_usage": True}, messages=[{"role": "user", "content": "stream please"}]):
    if chunk.choices:
        text += chunk.choices[0].delta.content or ""
    if chunk.usage:
        usage = chunk.usage.completion_tokens
out["stream_text"] = text
out["stream_usage"] = usage

emb = client.embeddings.create(model="emb", input=["a", "b"])
out["embeddings"] = len(emb.data)

try:
    client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    out["not_found"] = None
except openai.NotFoundError as e:
    out["not_found"] = e.status_code

try:
    client.chat.completions.create(model=model, temperature=5, messages=[{"role": "user", "content": "x"}])
    out["bad_request"] = None
except openai.BadRequestError as e:
    out["bad_request"] = e.body.get("param") if isinstance(e.body, dict) else str(e.body)

c = client.completions.create(model=model, prompt="legacy from python", n=2)
out["completion_texts"] = [ch.text for ch in c.choices]
out["completion_object"] = c.object

text = ""
usage = None
for chunk in client.completions.create(model=model, prompt="legacy stream", stream=True, stream_options={"include_usage": True}):
    if chunk.choices:
        text += chunk.choices[0].text
    if chunk.usage:
        usage = chunk.usage.completion_tokens
out["completion_stream_text"] = text
out["completion_stream_usage"] = usage

try:
    client.completions.create(model=model, prompt="x", echo=True)
    out["completion_refused"] = None
except openai.BadRequestError as e:
    out["completion_refused"] = e.body.get("param") if isinstance(e.body, dict) else str(e.body)

print(json.dumps(out))
