// attn_bench — the benchmark suite (README, "Performance"):
//   build/bench/attn_bench [--threads 1,2] [--steps 20] [--json FILE] [--floor-shapes]
// For each thread count: the seven training-step workloads (workloads.hpp), each in a child
// process of its own so that its peak RSS is its own, then the micro-benchmarks (micro.hpp).
// bench/compare.sh runs this and the PyTorch reference in one go and prints the ratios.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "attn/support/cli.hpp"
#include "attn/gemm_log.hpp"
#include "attn/ops.hpp"
#include "attn/support/io.hpp"
#include "attn/support/json.hpp"
#include "attn/support/runtime.hpp"
#include "blas_floor.hpp"
#include "micro.hpp"
#include "workloads.hpp"

namespace {

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

/// In the child: warm up, time `steps` steps, print one JSON line.
int run_workload(int index, int threads, int warmup, int steps, bool floor_shapes) {
    attn::configure_runtime(threads);
    bench::Workload w = bench::make_workload(index);
    for (int i = 0; i < warmup; ++i) w.step();
    std::vector<attn::GemmCall> products;  // one more untimed step, recording its matrix products
    {
        attn::GemmLog log;
        w.step();
        products = std::move(log.calls);
    }
    double blas_flops = 0;
    for (const attn::GemmCall& call : products) blas_flops += call.flops();
    std::vector<double> ms;
    for (int i = 0; i < steps; ++i) {
        const auto start = std::chrono::steady_clock::now();
        w.step();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    const double median = steps % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    const double floor_ms = bench::blas_floor_ms(products, steps);
    if (floor_shapes) {  // to stderr: stdout is the JSON line the parent reads
        std::fprintf(stderr, "%s, %d thread(s): the BLAS floor one shape at a time\n", w.name.c_str(), threads);
        for (const bench::ShapeFloor& f : bench::blas_floor_by_shape(products, steps)) {
            std::fprintf(stderr, "  %c%c m %5zu n %5zu k %5zu batch %4zu x %3zu  %8.2f ms  %6.1f GFLOP/s\n",
                         f.call.trans_a ? 'T' : 'N', f.call.trans_b ? 'T' : 'N', f.call.m, f.call.n, f.call.k,
                         f.call.batch, f.count, f.ms, f.gflops());
        }
    }
    attn::JsonObject out;
    out.add("name", w.name).add("threads", long(threads)).add("steps", long(steps)).add("median_ms", median)
        .add("tokens_per_s", w.tokens_per_step / (median / 1000)).add("flops_per_step", w.flops_per_step)
        .add("gflops", w.flops_per_step / (median / 1000) / 1e9).add("peak_rss_mb", peak_rss_mb())
        .add("blas_calls_per_step", long(products.size())).add("blas_flops_per_step", blas_flops)
        .add("blas_floor_ms", floor_ms);
    std::printf("%s\n", bench::one_line(out).c_str());
    return 0;
}

/// In the parent: runs `self --child I --child-threads T ...` and returns its JSON line.
std::string spawn_workload(const std::string& self, int index, int threads, int warmup, int steps, bool floor_shapes) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(pipe_fds[1], STDOUT_FILENO);
        close(pipe_fds[0]);
        std::vector<std::string> args = {self, "--child", std::to_string(index), "--threads", std::to_string(threads),
                                         "--warmup", std::to_string(warmup), "--steps", std::to_string(steps)};
        if (floor_shapes) args.push_back("--floor-shapes");
        std::vector<char*> argv;
        for (std::string& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        execv(self.c_str(), argv.data());
        _exit(127);
    }
    close(pipe_fds[1]);
    std::string output;
    char buffer[4096];
    for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) output.append(buffer, std::size_t(n));
    close(pipe_fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("workload " + std::to_string(index) + " failed");
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return output;
}

std::vector<int> parse_list(const std::string& text, const char* what, long most) {
    std::vector<int> values;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        char* end = nullptr;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || v < 1 || v > most) {
            throw std::invalid_argument(std::string(what) + ": '" + item + "' is not a number in 1.." + std::to_string(most));
        }
        values.push_back(int(v));
    }
    return values;
}

}  // namespace

int main(int argc, char** argv) {
    std::string threads_list = "1,2", workloads_list = "1,2,3,4,5,6,7", json;
    int child = 0, warmup = 3, steps = 20;
    bool no_micro = false, floor_shapes = false;
    attn::CommandLine cli("attn benchmark suite: training steps of seven models, and micro-benchmarks");
    cli.option("--threads", threads_list, "BLAS thread counts to measure, comma-separated");
    cli.option("--workloads", workloads_list, "which of B1..B7, comma-separated numbers");
    cli.option("--steps", steps, "timed steps per workload (the median is reported)").range(5, 100000);
    cli.option("--warmup", warmup, "untimed steps first").range(0, 1000);
    cli.option("--json", json, "also write the results to this file");
    cli.flag("--no-micro", no_micro, "skip the micro-benchmarks");
    cli.flag("--floor-shapes", floor_shapes, "also print each workload's BLAS floor one product shape at a time");
    cli.option("--child", child, "(internal) run one workload in this process").range(0, 7);  // 0: not a child
    if (const auto exit_code = cli.parse(argc, argv)) return *exit_code;
    try {
        const std::vector<int> thread_counts = parse_list(threads_list, "--threads", 256);
        if (child > 0) return run_workload(child, thread_counts.front(), warmup, steps, floor_shapes);
        const std::vector<int> workloads = parse_list(workloads_list, "--workloads", 7);  // refuse before any work
        const std::string self = "/proc/self/exe";
        attn::configure_runtime(thread_counts.front());
        const std::string kernel = attn::blas_kernel();
        std::printf("OpenBLAS kernel %s (OPENBLAS_CORETYPE %s), threads %s\n", kernel.c_str(),
                    std::getenv("OPENBLAS_CORETYPE") ? std::getenv("OPENBLAS_CORETYPE") : "not set", threads_list.c_str());
        std::string all = "{\n  \"blas_kernel\": " + attn::json_string(kernel) + ",\n  \"threads\": " +
                          attn::json_string(threads_list) + ",\n  \"workloads\": [";
        bool first = true;
        std::printf("%-16s %7s %9s %12s %9s %9s %8s %9s %7s\n", "workload", "threads", "ms/step", "tokens/s", "GFLOP",
                    "GFLOP/s", "RSS MB", "BLAS ms", "BLAS %");
        for (int t : thread_counts) {
            for (int index : workloads) {
                const std::string line = spawn_workload(self, index, t, warmup, steps, floor_shapes);
                all += std::string(first ? "\n    " : ",\n    ") + line;
                first = false;
                const auto number = [&](const std::string& key) {
                    const std::size_t at = line.find("\"" + key + "\": ");
                    return std::stod(line.substr(at + key.size() + 4));
                };
                const std::size_t name_at = line.find("\"name\": \"") + 9;
                std::printf("%-16s %7d %9.2f %12.0f %9.3f %9.2f %8.1f %9.2f %6.0f%%\n",
                            line.substr(name_at, line.find('"', name_at) - name_at).c_str(), t, number("median_ms"),
                            number("tokens_per_s"), number("flops_per_step") / 1e9, number("gflops"), number("peak_rss_mb"),
                            number("blas_floor_ms"), 100 * number("blas_floor_ms") / number("median_ms"));
                std::fflush(stdout);
            }
        }
        all += "\n  ]";
        if (!no_micro) {
            all += ",\n  \"micro\": [";
            first = true;
            for (int t : thread_counts) {
                attn::configure_runtime(t);
                for (const std::string& line : bench::run_micro(t)) {
                    all += std::string(first ? "\n    " : ",\n    ") + line;
                    first = false;
                }
            }
            all += "\n  ]";
        }
        all += "\n}\n";
        if (!json.empty()) attn::write_file_atomically(json, all);
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "attn_bench: %s\n", error.what());
        return 1;
    }
}
