//! Fires applicants at one training, as many at once as asked, and prints what happened.
//! Used by `scripts/bench-applications`; runs against servers that are already up.
//!
//!   load_applications TRAINING_ID APPLICANTS CONCURRENCY BASE_URL [BASE_URL…]

use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        return Err(
            "usage: load_applications TRAINING_ID APPLICANTS CONCURRENCY BASE_URL [BASE_URL…]"
                .into(),
        );
    }
    let training: i64 = args[1].parse()?;
    let applicants: usize = args[2].parse()?;
    let concurrency: usize = args[3].parse()?;
    let bases: Vec<String> = args[4..].to_vec();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(concurrency));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(applicants);
    for index in 0..applicants {
        let permit = semaphore.clone().acquire_owned().await?;
        let client = client.clone();
        let url = format!(
            "{}/api/v1/trainings/{training}/applications",
            bases[index % bases.len()]
        );
        tasks.push(tokio::spawn(async move {
            let body = json!({
                "name": format!("応募者 {index}"),
                "email": format!("bench{index}@example.jp"),
                "backgrounds": ["peer_supporter"],
                "consent": true
            });
            let sent = Instant::now();
            let outcome = match client.post(url).json(&body).send().await {
                Ok(response) if response.status() == 201 => response
                    .json::<Value>()
                    .await
                    .ok()
                    .and_then(|v| v["status"].as_str().map(str::to_owned)),
                _ => None,
            };
            drop(permit);
            (sent.elapsed(), outcome)
        }));
    }
    let mut latencies = Vec::with_capacity(applicants);
    let (mut held, mut waitlisted, mut errors) = (0, 0, 0);
    for task in tasks {
        let (latency, outcome) = task.await?;
        latencies.push(latency);
        match outcome.as_deref() {
            Some("held") => held += 1,
            Some("waitlisted") => waitlisted += 1,
            _ => errors += 1,
        }
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let percentile = |p: f64| -> Duration {
        let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(index).copied().unwrap_or_default()
    };
    println!(
        "applicants      {applicants} with {concurrency} at once, over {} server(s)",
        bases.len()
    );
    println!(
        "applications/s  {:.0}",
        applicants as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency p50     {:.1} ms",
        percentile(0.50).as_secs_f64() * 1000.0
    );
    println!(
        "latency p99     {:.1} ms",
        percentile(0.99).as_secs_f64() * 1000.0
    );
    println!("errors          {errors}");
    println!("held seats      {held}");
    println!("waitlisted      {waitlisted}");
    Ok(())
}
