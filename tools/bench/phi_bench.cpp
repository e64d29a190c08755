// caseroom-bench-phi: the PHI screen's recall and precision per kind on the
// labelled corpus (tests/unit/clinic/phi_corpus: its own generator and word
// lists, nothing shared with the screener), and its cost per case.
//   - quality: one screening pass over generateCorpus(Rng(seed), cases) and
//     the hand-written clean texts; the definitions are those of
//     phi_corpus/score.h (and of tests/unit/clinic/test_phi_corpus.cpp).
//   - cost: `runs` passes over the same texts after one warm-up pass; each
//     case's screen() call (all its fields) is timed alone on the steady
//     clock. Per run: mean microseconds per case; reported as the median run
//     with the fastest and slowest run, and the per-case p50/p90/p99/max over
//     all runs. The thread's CPU time per pass is reported beside it: on a
//     shared machine wall time includes waiting for a core, CPU time does not.
// Results go to BENCHMARKS.md ("PHI screening"); this is a benchmark, not a test.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "clinic/phi_screen.h"
#include "core/cli.h"
#include "core/percentile.h"
#include "unit/clinic/phi_corpus/corpus.h"
#include "unit/clinic/phi_corpus/score.h"

using namespace caseroom;
using namespace caseroom::clinic;
namespace cli = caseroom::core::cli;
namespace pc = caseroom::clinic::phi_corpus;

namespace {

void usage() {
    std::puts("usage: caseroom-bench-phi [options]\n"
              "\n"
              "PHI screen recall/precision per kind on the labelled corpus and cost per case\n"
              "(a benchmark, not a test; results go to BENCHMARKS.md).\n"
              "\n"
              "  --cases N     generated cases, 2..100000, half with planted identifiers (default 600)\n"
              "  --seed N      corpus seed (default 20261202, the test's)\n"
              "  --runs N      timed passes over the corpus, 1..1000 (default 9)\n"
              "  --texts PATH  hand-written clean texts (default: the source tree's echo_clean.txt)\n"
              "  --help        this text");
}

struct Input {
    std::vector<ScreenField> fields;
    std::size_t bytes = 0;
};

double threadCpuMicros() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct Cost {
    double cpuMedianRun = 0, cpuFastestRun = 0, cpuSlowestRun = 0;
    double medianRun = 0, fastestRun = 0, slowestRun = 0, p50 = 0, p90 = 0, p99 = 0, max = 0, bytes = 0;
};

Cost timeScreens(const std::vector<Input>& inputs, const ScreenContext& ctx, int runs, std::size_t& sink) {
    using Clock = std::chrono::steady_clock;
    for (const auto& in : inputs) sink += screen(in.fields, ctx).size();  // warm-up
    std::vector<double> runMeans, cpuMeans, perCase;
    std::size_t bytes = 0;
    for (const auto& in : inputs) bytes += in.bytes;
    for (int r = 0; r < runs; ++r) {
        double total = 0;
        const double cpu0 = threadCpuMicros();
        for (const auto& in : inputs) {
            const auto t0 = Clock::now();
            const auto findings = screen(in.fields, ctx);
            const auto t1 = Clock::now();
            sink += findings.size();
            const double us = std::chrono::duration<double, std::micro>(t1 - t0).count();
            total += us;
            perCase.push_back(us);
        }
        runMeans.push_back(total / static_cast<double>(inputs.size()));
        cpuMeans.push_back((threadCpuMicros() - cpu0) / static_cast<double>(inputs.size()));
    }
    Cost c;
    c.cpuMedianRun = core::percentile(cpuMeans, 0.5);
    c.cpuFastestRun = core::percentile(cpuMeans, 0.0);
    c.cpuSlowestRun = core::percentile(cpuMeans, 1.0);
    c.medianRun = core::percentile(runMeans, 0.5);
    c.fastestRun = core::percentile(runMeans, 0.0);
    c.slowestRun = core::percentile(runMeans, 1.0);
    c.p50 = core::percentileInPlace(perCase, 0.5);
    c.p90 = core::percentileInPlace(perCase, 0.9);
    c.p99 = core::percentileInPlace(perCase, 0.99);
    c.max = core::percentileInPlace(perCase, 1.0);
    c.bytes = static_cast<double>(bytes) / static_cast<double>(inputs.size());
    return c;
}

void printCost(const char* what, std::size_t n, const Cost& c) {
    std::printf("| %s | %zu | %.0f | %.1f (%.1f-%.1f) | %.1f (%.1f-%.1f) | %.1f | %.1f | %.1f | %.1f | %.2f |\n", what, n, c.bytes,
                c.cpuMedianRun, c.cpuFastestRun, c.cpuSlowestRun, c.medianRun, c.fastestRun, c.slowestRun, c.p50, c.p90, c.p99,
                c.max, c.cpuMedianRun > 0 ? c.bytes / c.cpuMedianRun : 0.0);
}

} // namespace

int main(int argc, char** argv) {
    std::uint32_t cases = 600;
    std::uint64_t seed = 20261202;
    int runs = 9;
    std::string textsPath = CASEROOM_PHI_CORPUS_DIR "/echo_clean.txt";
    cli::Args args(argc, argv);
    auto fail = [](const core::Error& e) {
        std::fprintf(stderr, "caseroom-bench-phi: %s\n", e.message.c_str());
        return 2;
    };
    while (args.next()) {
        const std::string a(args.flag());
        if (a == "--help" || a == "-h") { usage(); return 0; }
        auto v = args.value();
        if (!v) return fail(v.error());
        if (a == "--cases") {
            auto n = cli::parseInt(a, *v, 2, 100000);
            if (!n) return fail(n.error());
            cases = static_cast<std::uint32_t>(*n);
        } else if (a == "--seed") {
            auto n = cli::parseU64(a, *v);
            if (!n) return fail(n.error());
            seed = *n;
        } else if (a == "--runs") {
            auto n = cli::parseInt(a, *v, 1, 1000);
            if (!n) return fail(n.error());
            runs = static_cast<int>(*n);
        } else if (a == "--texts") textsPath = *v;
        else return fail(core::Error{"unknown option '" + a + "' (see --help)"});
    }
    auto texts = pc::loadCleanTexts(textsPath);
    if (!texts) return fail(texts.error());

    core::Rng rng(seed);
    const std::vector<pc::CorpusCase> corpus = pc::generateCorpus(rng, cases);
    ScreenContext ctx;
    ctx.knownNames = pc::rosterNames();

    std::vector<Input> generated, cleanGenerated, handWritten;
    for (const auto& c : corpus) {
        Input in;
        for (const auto& f : c.fields) {
            in.fields.push_back({f.name, f.text});
            in.bytes += f.text.size();
        }
        (c.clean ? cleanGenerated : generated).push_back(in);
    }
    for (const auto& t : *texts) handWritten.push_back({{ScreenField{"case", t}}, t.size()});

    // Quality.
    pc::Tally all, cleanHalf, hand;
    for (const auto& c : corpus) {
        std::vector<ScreenField> fields;
        for (const auto& f : c.fields) fields.push_back({f.name, f.text});
        const auto findings = screen(fields, ctx);
        pc::scoreCase(c, findings, all);
        if (c.clean) pc::scoreCase(c, findings, cleanHalf);
    }
    for (std::size_t i = 0; i < texts->size(); ++i) {
        const std::string& t = (*texts)[i];
        pc::scoreCleanText("hand-written #" + std::to_string(i + 1), "case", t, screenText("case", t, ctx), hand);
    }
    std::printf("PHI screen on %u generated cases (seed %llu, %u with planted identifiers) and %zu hand-written clean texts\n\n",
                cases, static_cast<unsigned long long>(seed), (cases + 1) / 2, texts->size());
    std::fputs(pc::kindTable(all).c_str(), stdout);
    const std::uint32_t findings = all.findings + hand.findings, trueFindings = all.trueFindings + hand.trueFindings;
    std::printf("\nprecision (findings overlapping a planted span / all findings): %.3f (%u of %u)\n",
                findings ? static_cast<double>(trueFindings) / findings : 1.0, trueFindings, findings);
    std::printf("clean generated cases with no finding: %.3f (%u of %u)\n", cleanHalf.cleanPassRate(),
                cleanHalf.cleanTexts - cleanHalf.cleanFlagged, cleanHalf.cleanTexts);
    std::printf("hand-written clean texts with no finding: %.3f (%u of %u)\n", hand.cleanPassRate(),
                hand.cleanTexts - hand.cleanFlagged, hand.cleanTexts);
    std::printf("\nshapes with misses, worst recall first:\n\n%s", pc::weakTable(all.shapes, "shape").c_str());
    std::printf("\ncontexts with misses ('@' is the value), worst recall first:\n\n%s", pc::weakTable(all.contexts, "context").c_str());
    std::vector<pc::Example> falses = all.falseFindings;
    falses.insert(falses.end(), hand.falseFindings.begin(), hand.falseFindings.end());
    std::printf("\nfalse findings by kind:");
    for (const auto& [kind, n] : pc::topShapes(falses, 12)) std::printf(" %s x%u;", kind.c_str(), n);

    // Cost.
    std::size_t sink = 0;
    std::printf("\n\ncost per case (microseconds; %d runs after a warm-up; median run (fastest-slowest run), per-case percentiles over all runs)\n\n", runs);
    std::printf("| texts | cases | bytes/case | CPU us/case, median run (min-max) | wall us/case, median run (min-max) | wall p50 | p90 | p99 | max | MB/s (CPU) |\n");
    std::printf("|---|---:|---:|---|---|---:|---:|---:|---:|---:|\n");
    printCost("generated, with identifiers", generated.size(), timeScreens(generated, ctx, runs, sink));
    printCost("generated, clean", cleanGenerated.size(), timeScreens(cleanGenerated, ctx, runs, sink));
    printCost("hand-written, clean", handWritten.size(), timeScreens(handWritten, ctx, runs, sink));
    std::printf("(%zu findings seen while timing)\n", sink);
    return 0;
}
