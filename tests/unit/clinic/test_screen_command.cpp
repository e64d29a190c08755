// `caseroom-admin screen`: JSON lines per finding, exit 1 with findings, 0
// without, 2 on errors naming the file; --names, --field, --form, stdin.
#include <catch2/catch.hpp>

#include "screen_command.h"
#include "temp_dir.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using caseroom::tools::runScreenCommand;

namespace {

struct Run {
    int rc = -1;
    std::string out, err;
};

std::string slurp(std::FILE* f) {
    std::rewind(f);
    std::string s;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.append(buf, n);
    return s;
}

Run run(std::vector<std::string> args, const std::string& stdinText = "") {
    args.insert(args.begin(), "screen");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::FILE* in = std::tmpfile();
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    REQUIRE((in && out && err));
    std::fwrite(stdinText.data(), 1, stdinText.size(), in);
    std::rewind(in);
    Run r;
    r.rc = runScreenCommand(static_cast<int>(args.size()), argv.data(), in, out, err);
    r.out = slurp(out);
    r.err = slurp(err);
    std::fclose(in);
    std::fclose(out);
    std::fclose(err);
    return r;
}

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

} // namespace

TEST_CASE("screen command: findings as JSON lines, exit 1", "[phi][admin]") {
    caseroom::testing::TempDir dir;
    REQUIRE(dir.ok());
    write(dir.file("case.txt"), "67 yo M, MRN 00451237, seen 3/14/2025.\n");
    // By default field, span and kind only: the output may land in a log.
    const Run r = run({dir.file("case.txt")});
    CHECK(r.rc == 1);
    CHECK(r.out == "{\"field\":\"text\",\"begin\":13,\"end\":21,\"kind\":\"mrn\"}\n"
                   "{\"field\":\"text\",\"begin\":28,\"end\":37,\"kind\":\"date\"}\n");
    CHECK(r.out.find("00451237") == std::string::npos);
    CHECK(r.err.empty());
    const Run shown = run({dir.file("case.txt"), "--show-text"});
    CHECK(shown.rc == 1);
    CHECK(shown.out == "{\"field\":\"text\",\"begin\":13,\"end\":21,\"kind\":\"mrn\",\"text\":\"00451237\"}\n"
                       "{\"field\":\"text\",\"begin\":28,\"end\":37,\"kind\":\"date\",\"text\":\"3/14/2025\"}\n");
}

TEST_CASE("screen command: clean text exits 0; stdin and --field", "[phi][admin]") {
    const Run clean = run({"-"}, "67 yo M, ALT 54, HbA1c 7.2%, in 2019.");
    CHECK(clean.rc == 0);
    CHECK(clean.out.empty());
    const Run named = run({"-", "--field", "history"}, "call 555-123-4567");
    CHECK(named.rc == 1);
    CHECK(named.out.find("\"field\":\"history\"") != std::string::npos);
    CHECK(named.out.find("\"kind\":\"phone\"") != std::string::npos);
}

TEST_CASE("screen command: --names adds the roster", "[phi][admin]") {
    caseroom::testing::TempDir dir;
    REQUIRE(dir.ok());
    write(dir.file("names"), "# roster\nLinh Nguyễn\r\n\n");
    const Run without = run({"-"}, "spoke with nguyen and Nguyễn");
    CHECK(without.rc == 0);
    const Run with = run({"-", "--names", dir.file("names"), "--show-text"}, "spoke with nguyen and Nguyễn");
    CHECK(with.rc == 1);
    CHECK(with.out == "{\"field\":\"text\",\"begin\":22,\"end\":30,\"kind\":\"name\",\"text\":\"Nguyễn\"}\n");
}

TEST_CASE("screen command: --form screens every field", "[phi][admin]") {
    caseroom::testing::TempDir dir;
    REQUIRE(dir.ok());
    write(dir.file("form"), "[case]\nage_band = 60-69\nhistory = HCV since 2019\n  fax 555-987-6543\nlabs = ALT 54\n");
    const Run r = run({dir.file("form"), "--form"});
    CHECK(r.rc == 1);
    CHECK(r.out.find("\"field\":\"history\"") != std::string::npos);
    CHECK(r.out.find("\"kind\":\"fax\"") != std::string::npos);
    CHECK(r.out.find("\"field\":\"labs\"") == std::string::npos);
}

TEST_CASE("screen command: errors exit 2 and name the file", "[phi][admin]") {
    const Run missing = run({"/nonexistent/case.txt"});
    CHECK(missing.rc == 2);
    CHECK(missing.err.find("/nonexistent/case.txt") != std::string::npos);
    CHECK(run({}).rc == 2);
    CHECK(run({"a", "b"}).rc == 2);
    CHECK(run({"-", "--bogus"}).rc == 2);
    CHECK(run({"-", "--names"}).rc == 2);
    const Run names = run({"-", "--names", "/nonexistent/roster"}, "x");
    CHECK(names.rc == 2);
    CHECK(names.err.find("/nonexistent/roster") != std::string::npos);
    const Run help = run({"--help"});
    CHECK(help.rc == 0);
    CHECK(help.out.find("usage: caseroom-admin screen") != std::string::npos);
    CHECK(help.out.find("--show-text") != std::string::npos);
}
