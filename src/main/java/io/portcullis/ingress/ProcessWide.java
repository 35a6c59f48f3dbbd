package io.portcullis.ingress;

import io.portcullis.auth.AuthMetrics;
import io.portcullis.auth.FailureCounter;
import io.portcullis.limit.LimitMetrics;
import io.portcullis.limit.Limiter;
import io.portcullis.scrub.ScrubMetrics;

/**
 * What the event loops of one process share (everything else belongs to one event loop): the
 * metrics, the per-IP failure counts, the in-process limiter.
 */
public record ProcessWide(RequestMetrics requests, ScrubMetrics scrub, AuthMetrics auth, LimitMetrics limits,
    FailureCounter authFailures, Limiter localLimiter) {}
