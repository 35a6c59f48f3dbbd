package io.portcullis.ingress;

import io.portcullis.auth.AuthMetrics;
import io.portcullis.auth.FailureCounter;
import io.portcullis.limit.LimitMetrics;
import io.portcullis.limit.Limiter;
import io.portcullis.scrub.ScrubMetrics;

/**
 * What the event loops of one process share (everything else belongs to one event loop): the
 * metrics, the per-IP failure counts, the in-process limiter, the usage baselines, the access log.
 */
public record ProcessWide(RequestMetrics requests, ScrubMetrics scrub, AuthMetrics auth, LimitMetrics limits,
    io.portcullis.forward.UpstreamMetrics upstream, FailureCounter authFailures, Limiter localLimiter,
    io.portcullis.observe.UsageAnomalies anomalies, io.portcullis.observe.AccessLog accessLog,
    io.portcullis.guard.GuardMetrics guards) {}
