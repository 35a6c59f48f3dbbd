#!/usr/bin/env python3
"""Where a request's CPU time and allocation go, by pipeline stage, from async-profiler's collapsed
stacks (benchmarks/profile.sh writes them).

    profile_stages.py STACKS REQUESTS UNIT

UNIT is what one count of a stack is worth: "1000" (microseconds, cpu sampled every 1 ms) or "bytes"
(allocation, counts already in bytes). A sample belongs to the stage of its innermost Portcullis
frame: that frame's own work plus the library code it called (a socket write under the upstream call
is the upstream call's). Samples with no Portcullis frame are the HTTP machinery (Netty's event loop,
decoding, reads) or the JVM (GC, JIT).
"""
import collections
import re
import sys

STAGES = [
    ("Redis calls (limiter, key cache): client side", r"config/RedisScript|limit/RedisLimiter|auth/RedisKey|auth/Caching|auth/KeyChanges"),
    ("limits: decision, token reservation, headers", r"^io/portcullis/limit/"),
    ("auth: key lookup, hashing, roles", r"^io/portcullis/auth/"),
    ("redaction (request and answer)", r"^io/portcullis/scrub/"),
    ("guards: connection watch, validation, screening, CORS, headers", r"^io/portcullis/guard/"),
    ("access log, metrics, anomaly detection", r"^io/portcullis/observe/"),
    ("request: body read and JSON parse", r"server/BodyReader|server/ConstrainedJson|server/RequestParser|server/RequestStart"),
    ("upstream call: request encode and write, response read", r"forward/UpstreamCall\.(attempt|lambda\$attempt|onResponse|onChunk|next|start|lambda\$onResponse)"),
    ("answer to the client: encode and write", r"forward/UpstreamCall\.answerWhole"),
    ("usage read, response chain", r"ingress/ResponseBody|ingress/ResponseChain|forward/UsageTap"),
    ("formats: prompt tokens, usage fields", r"^io/portcullis/format/"),
    ("routing, exchange, other Portcullis code", r"^io/portcullis/"),
]
MACHINERY = [
    ("  Vert.x Redis client (parse, dispatch)", "io/vertx/redis"),
    ("  socket reads", "recv"),
    ("  HTTP decoding", "HttpObjectDecoder"),
    ("  response/request dispatch (Vert.x)", "Http1x"),
    ("  waiting in epoll", "epoll_wait"),
    ("  waiting in epoll", "epollWait"),
]


def frames_of(stack):
    return [f.replace(".", "/") if f.startswith("io.portcullis") else f for f in stack.split(";")]


def stage_of(frames):
    for fr in reversed(frames):
        if fr.startswith("io/portcullis"):
            for name, rx in STAGES:
                if re.search(rx, fr):
                    return name
    head = frames[:4]
    if any(("GC" in f or "PSPromotion" in f or "Scavenge" in f or "ParallelTask" in f or "ZGC" in f or "G1" in f) for f in head):
        return "JVM: garbage collection"
    if any("Compile" in f for f in head):
        return "JVM: JIT compiler"
    for name, pat in MACHINERY:
        if any(pat in f for f in frames):
            return "HTTP machinery outside the stages:" + name
    return "HTTP machinery outside the stages:  other (event loop, buffers, JVM threads)"


def main():
    path, requests, unit = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    per = 1.0 if unit == "bytes" else float(unit)
    totals = collections.Counter()
    n = 0
    for line in open(path):
        stack, count = line.rstrip().rsplit(" ", 1)
        totals[stage_of(frames_of(stack))] += int(count)
        n += int(count)
    label = "bytes allocated" if unit == "bytes" else "us of CPU"
    print(f"| stage | {label} per request | share |")
    print("|---|---|---|")
    for name, count in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {count * per / requests:.1f} | {100 * count / n:.1f}% |")
    print(f"| **all** | **{n * per / requests:.1f}** | |")


if __name__ == "__main__":
    main()
