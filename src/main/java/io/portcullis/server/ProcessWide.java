package io.portcullis.server;

import io.portcullis.auth.AuthMetrics;
import io.portcullis.auth.Blocklist;
import io.portcullis.auth.FailureCounter;
import io.portcullis.auth.KeyCache;
import io.portcullis.forward.UpstreamMetrics;
import io.portcullis.guard.ConnectionCounts;
import io.portcullis.guard.GuardMetrics;
import io.portcullis.limit.LimitMetrics;
import io.portcullis.limit.Limiter;
import io.portcullis.observe.AccessLog;
import io.portcullis.observe.RequestMetrics;
import io.portcullis.observe.SpendLedger;
import io.portcullis.observe.Tracing;
import io.portcullis.observe.UsageAnomalies;
import io.portcullis.scrub.ScrubMetrics;

/**
 * What the event loops of one process share (everything else belongs to one event loop): the
 * metrics, the open connections, the cache of keys kept in Redis, the per-IP failure counts, the in-process limiter, the usage baselines, the access log.
 */
public record ProcessWide(RequestMetrics requests, ScrubMetrics scrub, AuthMetrics auth, LimitMetrics limits,
    UpstreamMetrics upstream, FailureCounter authFailures, Limiter localLimiter,
    UsageAnomalies anomalies, AccessLog accessLog,
    GuardMetrics guards, ConnectionCounts connections, KeyCache keyCache, WarmupGate warmup, Blocklist blocklist,
    SpendLedger spend, Tracing tracing) {}
