//! Prometheus metrics, kept per server instance rather than in a process-wide recorder, so that two
//! servers in one process (as in the tests) never mix their counts.

use std::time::Duration;

use metrics::{counter, gauge, histogram, with_local_recorder};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusRecorder};

use crate::store::PoolStats;

const REQUEST_DURATION: &str = "praxis_http_request_duration_seconds";
const LATENCY_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

pub struct Metrics {
    recorder: PrometheusRecorder,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// One answered request, labelled by route template (never the raw path) to keep cardinality low.
#[derive(Debug)]
pub struct RequestSample<'a> {
    pub method: &'a str,
    pub route: &'a str,
    pub status: u16,
    pub duration: Duration,
}

impl Metrics {
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(REQUEST_DURATION.to_owned()), LATENCY_BUCKETS)
            .expect("the bucket list is a non-empty constant")
            .build_recorder();
        Self { recorder }
    }

    pub fn record_request(&self, sample: &RequestSample<'_>) {
        let labels = [
            ("method", sample.method.to_owned()),
            ("route", sample.route.to_owned()),
            ("status", sample.status.to_string()),
        ];
        with_local_recorder(&self.recorder, || {
            counter!("praxis_http_requests_total", &labels).increment(1);
            histogram!(REQUEST_DURATION, &labels).record(sample.duration.as_secs_f64());
        });
    }

    /// Renders the text exposition format, refreshing the gauges that are read rather than counted.
    pub fn render(&self, pools: &[PoolStats]) -> String {
        with_local_recorder(&self.recorder, || {
            for pool in pools {
                let in_use = pool.size.saturating_sub(pool.idle);
                gauge!("praxis_db_pool_connections", "pool" => pool.name, "state" => "idle").set(pool.idle);
                gauge!("praxis_db_pool_connections", "pool" => pool.name, "state" => "in_use").set(in_use);
                gauge!("praxis_db_pool_max_connections", "pool" => pool.name).set(pool.max);
            }
        });
        self.recorder.handle().render()
    }
}
