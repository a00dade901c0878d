//! `cargo bench`: the release binary end to end on generated corpora, against
//! the ceiling of plain serde_json parsing of the same bytes, plus peak
//! memory. BENCHMARKS.md explains the numbers and records them.
//!
//! Quick run (fewer samples): `cargo bench --bench lint -- --quick`.

mod corpus;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use std::hint::black_box;

use criterion::{Criterion, Throughput};

const BIN: &str = env!("CARGO_BIN_EXE_marathon-lint");
const APP_FILES: usize = 10_000;
/// The largest corpus, linted once for its peak memory only: memory must
/// follow the largest file, not the number of files.
const MANY_APP_FILES: usize = 50_000;
const GROUP_BYTES: usize = 50 * 1000 * 1000;
/// Agents in the Mesos `/master/state` export the cluster runs use.
const AGENTS: usize = 10_000;

/// The binary as a pre-commit hook or CI runs it: human output (rendered,
/// then discarded), configuration discovery included.
fn lint_command(dir: &Path, paths: &[&Path]) -> Command {
    let mut command = Command::new(BIN);
    command
        .current_dir(dir)
        .args(paths)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn run(mut command: Command) {
    let status = command.status().expect("the binary runs");
    // 0 (clean) or 1 (findings); 2 would mean the benchmark is broken.
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "marathon-lint exited with {status}"
    );
}

/// Peak resident memory of one run, in KiB. Linux charges a child the peak
/// of the address space it was spawned from, and this process grows to
/// hundreds of MB generating the corpora; so a fresh, small copy of this
/// benchmark (`--peak-rss`) spawns the binary and reports its wait4(2)
/// rusage. No external `time` tool is needed.
fn peak_rss_kib(command: Command) -> i64 {
    let mut measure = Command::new(std::env::current_exe().unwrap());
    measure
        .arg(PEAK_RSS_FLAG)
        .arg(command.get_program())
        .args(command.get_args())
        .current_dir(command.get_current_dir().unwrap());
    let output = measure.output().expect("the benchmark runs itself");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("a peak RSS in KiB")
}

const PEAK_RSS_FLAG: &str = "--peak-rss";
/// `--spawn-median N PROGRAM ARGS...`: run PROGRAM N times, print the median
/// wall time in microseconds. From a small process, as git starts a hook:
/// spawning from this benchmark's own large process costs more.
const SPAWN_MEDIAN_FLAG: &str = "--spawn-median";
/// `--write-corpus DIR`: write the corpora and exit.
const WRITE_CORPUS_FLAG: &str = "--write-corpus";

/// `--peak-rss PROGRAM ARGS...`: run PROGRAM, print its peak RSS in KiB.
fn measure_peak_rss(program: &str, args: &[String]) {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // wait4 below reaps it; Child::wait would not return the rusage.
    #[allow(clippy::zombie_processes)]
    let child = command.spawn().expect("the binary runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    println!("{}", usage.ru_maxrss);
}

fn measure_spawn_median(runs: usize, program: &str, args: &[String]) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = std::time::Instant::now();
            let status = Command::new(program)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("the binary runs");
            assert!(matches!(status.code(), Some(0 | 1)), "exited with {status}");
            start.elapsed()
        })
        .collect();
    times.sort();
    println!("{}", times[runs / 2].as_micros());
}

/// Median wall time, in seconds, of `command` run from a small process.
fn small_process_median(command: Command, runs: usize) -> f64 {
    let output = Command::new(std::env::current_exe().unwrap())
        .arg(SPAWN_MEDIAN_FLAG)
        .arg(runs.to_string())
        .arg(command.get_program())
        .args(command.get_args())
        .current_dir(command.get_current_dir().unwrap())
        .output()
        .expect("the benchmark runs itself");
    let micros: f64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("a median in microseconds");
    micros / 1e6
}

/// Criterion's median estimate for a benchmark, in seconds, read back from
/// where it writes its results, for the closing summary of ratios.
fn median_seconds(group: &str, id: &str) -> Option<f64> {
    let root = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(|t| PathBuf::from(t).join("criterion")))
        .unwrap_or_else(|| {
            // target/release/deps/lint-HASH → target/criterion
            let exe = std::env::current_exe().unwrap();
            exe.ancestors().nth(3).unwrap().join("criterion")
        });
    let text = std::fs::read_to_string(root.join(group).join(id).join("new/estimates.json")).ok()?;
    let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(estimates["median"]["point_estimate"].as_f64()? / 1e9)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(PEAK_RSS_FLAG) {
        return measure_peak_rss(&args[2], &args[3..]);
    }
    if args.get(1).map(String::as_str) == Some(SPAWN_MEDIAN_FLAG) {
        return measure_spawn_median(args[2].parse().expect("a number of runs"), &args[3], &args[4..]);
    }
    if args.get(1).map(String::as_str) == Some(WRITE_CORPUS_FLAG) {
        // For profiling by hand (perf, callgrind) on the very same corpora.
        let dir = PathBuf::from(args.get(2).expect("--write-corpus DIR"));
        corpus::write_app_files(&dir.join("apps"), APP_FILES, 50, 1);
        corpus::write_app_files(&dir.join("small"), 1, 0, 2);
        corpus::write_group_file(&dir, GROUP_BYTES, 3);
        corpus::write_master_state(&dir, AGENTS, 5);
        return;
    }
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(2))
        .configure_from_args();

    let temp = tempfile::tempdir().unwrap();
    let apps_dir = temp.path().join("apps");
    // Every 50th file is broken or has a finding (2%): realistic, and it
    // keeps the rendering of findings in the measurement.
    let (app_paths, app_bytes) = corpus::write_app_files(&apps_dir, APP_FILES, 50, 1);
    let small_dir = temp.path().join("small");
    let (small_paths, _) = corpus::write_app_files(&small_dir, 1, 0, 2);
    let (group_path, group_bytes) = corpus::write_group_file(temp.path(), GROUP_BYTES, 3);
    let (state_path, state_bytes) = corpus::write_master_state(temp.path(), AGENTS, 5);
    // The same runs, judged against a 10,000-agent cluster.
    let with_cluster = |paths: &[&Path]| {
        let mut command = lint_command(temp.path(), paths);
        command.arg("--cluster").arg(&state_path);
        command
    };
    let contents: Vec<Vec<u8>> = app_paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    eprintln!(
        "corpus: {APP_FILES} app files, {:.1} MB; one group file, {:.1} MB; a {AGENTS}-agent /master/state, {:.1} MB; \
         machine: {} threads available",
        app_bytes as f64 / 1e6,
        group_bytes as f64 / 1e6,
        state_bytes as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let mut group = criterion.benchmark_group("small_file");
    group.sample_size(30).measurement_time(Duration::from_secs(5));
    group.bench_function("binary_one_file", |b| {
        b.iter(|| run(lint_command(temp.path(), &[&small_paths[0]])))
    });
    group.bench_function("binary_one_file_with_cluster", |b| {
        b.iter(|| run(with_cluster(&[&small_paths[0]])))
    });
    group.finish();

    let mut group = criterion.benchmark_group("app_files_10k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15))
        .throughput(Throughput::BytesDecimal(app_bytes));
    group.bench_function("binary", |b| b.iter(|| run(lint_command(temp.path(), &[&apps_dir]))));
    group.bench_function("binary_with_cluster", |b| b.iter(|| run(with_cluster(&[&apps_dir]))));
    group.bench_function("binary_1_thread", |b| {
        b.iter(|| {
            let mut command = lint_command(temp.path(), &[&apps_dir]);
            command.env("RAYON_NUM_THREADS", "1");
            run(command)
        })
    });
    group.bench_function("serde_json_value_ceiling", |b| {
        b.iter(|| {
            for bytes in &contents {
                // Broken files fail fast here; that is the ceiling's business.
                let _ = black_box(serde_json::from_slice::<serde_json::Value>(black_box(bytes)));
            }
        })
    });
    // For reference: the ceiling's own work split over two threads, which
    // says how much a second core gives on this machine.
    group.bench_function("serde_json_value_two_threads", |b| {
        b.iter(|| {
            let (first, second) = contents.split_at(contents.len() / 2);
            let parse = |part: &[Vec<u8>]| {
                for bytes in part {
                    let _ = black_box(serde_json::from_slice::<serde_json::Value>(black_box(bytes)));
                }
            };
            std::thread::scope(|scope| {
                scope.spawn(|| parse(first));
                parse(second);
            });
        })
    });
    // For reference, not the target's ceiling: reading each file as well,
    // which the linter must do and the ceiling does not.
    group.bench_function("serde_json_read_and_parse", |b| {
        b.iter(|| {
            for path in &app_paths {
                let bytes = std::fs::read(path).unwrap();
                let _ = black_box(serde_json::from_slice::<serde_json::Value>(black_box(&bytes)));
            }
        })
    });
    group.finish();

    let mut group = criterion.benchmark_group("group_file_50mb");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::BytesDecimal(group_bytes));
    group.bench_function("binary", |b| b.iter(|| run(lint_command(temp.path(), &[&group_path]))));
    group.finish();

    criterion.final_summary();

    // Peak memory by corpus size: one file, 100, 1,000, 10,000 and 50,000
    // files of the same kind (the first 1,000 of the 10,000 are team000 to
    // team009).
    let rss_small = peak_rss_kib(lint_command(temp.path(), &[&small_paths[0]]));
    let rss_100 = peak_rss_kib(lint_command(temp.path(), &[&apps_dir.join("team000")]));
    let thousand: Vec<PathBuf> = (0..10).map(|t| apps_dir.join(format!("team{t:03}"))).collect();
    let thousand: Vec<&Path> = thousand.iter().map(PathBuf::as_path).collect();
    let rss_1000 = peak_rss_kib(lint_command(temp.path(), &thousand));
    let rss_apps = peak_rss_kib(lint_command(temp.path(), &[&apps_dir]));
    let many_dir = temp.path().join("many");
    corpus::write_app_files(&many_dir, MANY_APP_FILES, 50, 4);
    let rss_many = peak_rss_kib(lint_command(temp.path(), &[&many_dir]));
    let rss_group = peak_rss_kib(lint_command(temp.path(), &[&group_path]));

    println!("\nsummary (medians; targets from BENCHMARKS.md)");
    let small = median_seconds("small_file", "binary_one_file");
    let small_alone = small_process_median(lint_command(temp.path(), &[&small_paths[0]]), 301);
    let lint = median_seconds("app_files_10k", "binary");
    let lint1 = median_seconds("app_files_10k", "binary_1_thread");
    let serde = median_seconds("app_files_10k", "serde_json_value_ceiling");
    let serde_read = median_seconds("app_files_10k", "serde_json_read_and_parse");
    let serde_two = median_seconds("app_files_10k", "serde_json_value_two_threads");
    let big = median_seconds("group_file_50mb", "binary");
    let small_cluster = median_seconds("small_file", "binary_one_file_with_cluster");
    let lint_cluster = median_seconds("app_files_10k", "binary_with_cluster");
    if let (Some(small), Some(with)) = (small, small_cluster) {
        println!(
            "  one small file against a {AGENTS}-agent export: {:.2} ms ({:.2}x the run without)",
            with * 1e3,
            with / small
        );
    }
    if let (Some(lint), Some(with)) = (lint, lint_cluster) {
        println!(
            "  {APP_FILES} files against a {AGENTS}-agent export: {:.3} s, {:.2}x the run without (target <= 1.3)",
            with,
            with / lint
        );
    }
    if let Some(small) = small {
        println!(
            "  one small file, process included: {:.2} ms (target < 5 ms); started from a small process, as git \
             starts a hook: {:.2} ms (median of 301)",
            small * 1e3,
            small_alone * 1e3
        );
    }
    if let (Some(lint), Some(serde)) = (lint, serde) {
        println!(
            "  {APP_FILES} files: {:.3} s = {:.0} files/s, {:.1} MB/s; serde_json ceiling {:.3} s; ratio {:.2} (target <= 2)",
            lint,
            APP_FILES as f64 / lint,
            app_bytes as f64 / 1e6 / lint,
            serde,
            lint / serde
        );
        if let Some(serde_two) = serde_two {
            println!(
                "  for reference: the ceiling's parse on 2 threads {:.3} s, a speed-up of {:.2} from the second core",
                serde_two,
                serde / serde_two
            );
        }
        if let Some(serde_read) = serde_read {
            println!(
                "  for reference: reading and parsing the files, 1 thread {:.3} s; lint / that {:.2}",
                serde_read,
                lint / serde_read
            );
        }
        if let Some(lint1) = lint1 {
            println!(
                "  {APP_FILES} files on 1 thread: {:.3} s = {:.0} files/s; ratio {:.2}",
                lint1,
                APP_FILES as f64 / lint1,
                lint1 / serde
            );
        }
    }
    if let Some(big) = big {
        println!(
            "  50 MB group: {:.3} s = {:.1} MB/s",
            big,
            group_bytes as f64 / 1e6 / big
        );
    }
    let mib = |kib: i64| kib as f64 / 1024.0;
    println!(
        "  peak RSS: one small file {:.1} MiB; 100 files {:.1} MiB; 1,000 files {:.1} MiB; {APP_FILES} files {:.1} MiB; \
         {MANY_APP_FILES} files {:.1} MiB ({:.0} bytes per file over 1,000); 50 MB group {:.1} MiB",
        mib(rss_small),
        mib(rss_100),
        mib(rss_1000),
        mib(rss_apps),
        mib(rss_many),
        (rss_many - rss_1000) as f64 * 1024.0 / (MANY_APP_FILES - 1000) as f64,
        mib(rss_group)
    );
}
