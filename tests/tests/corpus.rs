//! The database-first scenario corpus (tests/corpus/*.toml, described in tests/src/corpus.rs):
//! for every scenario on every backend, the setup SQL, the verdict of `check --format json` and
//! `create`, then the migration compiled in, `upgrade`, `check` clean, `downgrade`, and the
//! schema equal to the setup's. Prints the score per backend and requires every figure perfect.
//!
//! `CORPUS_BACKENDS=postgres,sqlite` runs some backends only; `CORPUS_FILTER=word,word` the
//! scenarios whose name holds one of the words.

use std::collections::BTreeMap;

use e2e_tests::corpus::{self, CorpusProject, Outcome, Pending, Score};
use e2e_tests::{Backend, server_reachable};

/// The whole corpus: built once, run on every reachable backend in parallel.
#[test]
fn corpus_on_every_backend() {
    let filter = std::env::var("CORPUS_FILTER").ok().filter(|f| !f.is_empty());
    let scenarios = corpus::load(filter.as_deref());
    assert!(!scenarios.is_empty(), "no scenario in tests/corpus matches the filter");
    let backends: Vec<Backend> = corpus::backends().into_iter().filter(|b| server_reachable(*b)).collect();
    if backends.is_empty() {
        return;
    }
    let project = CorpusProject::write(&scenarios, &backends);
    project.build();

    // Phase one: the verdicts, and the migrations `create` writes.
    let mut runs: Vec<(Backend, Vec<Pending>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = backends
            .iter()
            .map(|&backend| {
                let (project, scenarios) = (&project, &scenarios);
                scope.spawn(move || {
                    let runtime = tokio::runtime::Runtime::new().expect("runtime");
                    let pending: Vec<Pending> = scenarios
                        .iter()
                        .filter(|s| s.skip(backend).is_none())
                        .filter_map(|s| runtime.block_on(corpus::verdict(project, backend, s)))
                        .collect();
                    (backend, pending)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("phase one")).collect()
    });

    // Phase two: the migrations compiled in, run up and down.
    project.build();
    std::thread::scope(|scope| {
        for (backend, pending) in runs.iter_mut() {
            let (project, backend) = (&project, *backend);
            scope.spawn(move || {
                let runtime = tokio::runtime::Runtime::new().expect("runtime");
                for p in pending.iter_mut() {
                    runtime.block_on(corpus::round_trip(project, backend, p));
                }
            });
        }
    });

    let mut all_perfect = true;
    let mut reports = String::new();
    for (backend, pending) in &runs {
        let mut score = Score::default();
        let mut failures: BTreeMap<String, Outcome> = BTreeMap::new();
        for p in pending {
            match p.scenario.xfail(*backend) {
                Some(reason) => score.xfail.push((p.scenario.name.clone(), reason, !p.outcome.perfect())),
                None => {
                    score.add(&p.outcome);
                    if !p.outcome.perfect() {
                        failures.insert(p.scenario.name.clone(), p.outcome.clone());
                    }
                }
            }
        }
        all_perfect &= score.perfect();
        reports.push_str(&corpus::report(*backend, &score, &failures));
    }
    println!("{reports}");
    eprintln!("{reports}");
    assert!(all_perfect, "the corpus is not perfect:\n{reports}");
}
