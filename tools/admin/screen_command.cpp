// caseroom-admin screen (screen_command.h).
#include "screen_command.h"

#include "clinic/case_form.h"
#include "clinic/phi_screen.h"
#include "core/cli.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace caseroom::tools {
namespace {

// Case texts and rosters are small; a bigger input is a mistake, not a case.
constexpr std::size_t kMaxInputBytes = 16u << 20;

void usage(std::FILE* out) {
    std::fputs(
        "usage: caseroom-admin screen FILE|- [--field NAME] [--names FILE] [--form] [--show-text]\n"
        "\n"
        "Screens text for the HIPAA Safe Harbor identifiers (names, dates more precise than the\n"
        "year, ages over 89, phone and fax numbers, e-mail, SSN, medical record, health plan,\n"
        "account, licence, vehicle and device numbers, URLs, IP addresses, street addresses,\n"
        "ZIP codes) and prints one JSON line per finding: its field, span and kind,\n"
        "  {\"field\":\"text\",\"begin\":12,\"end\":22,\"kind\":\"date\"}\n"
        "begin and end are byte offsets in that field's text. FILE - reads stdin. The matched\n"
        "text is left out (this output may land in a log); --show-text adds it as \"text\".\n"
        "  --field NAME   the field name reported for plain text (default \"text\")\n"
        "  --names FILE   names known to be people (the roster), one per line ('#' comments)\n"
        "  --form         FILE is a filled case form ([case] name = value); every field is screened\n"
        "  --show-text    include each finding's matched text (for the author's own terminal)\n"
        "\n"
        "exit: 0 nothing found, 1 findings, 2 usage or input error.\n",
        out);
}

int fail(std::FILE* err, const std::string& message) {
    std::fprintf(err, "caseroom-admin screen: %s\n", message.c_str());
    return 2;
}

core::Result<std::string> readAll(const std::string& path, std::FILE* in) {
    const std::string name = path == "-" ? std::string("stdin") : path;
    std::FILE* f = path == "-" ? in : std::fopen(path.c_str(), "rb");
    if (!f) return core::Error{name + ": cannot open: " + std::strerror(errno)};
    std::string text;
    char buf[65536];
    bool tooBig = false, bad = false;
    for (;;) {
        const std::size_t n = std::fread(buf, 1, sizeof buf, f);
        text.append(buf, n);
        if (text.size() > kMaxInputBytes) { tooBig = true; break; }
        if (n < sizeof buf) { bad = std::ferror(f) != 0; break; }
    }
    if (f != in) std::fclose(f);
    if (tooBig) return core::Error{name + ": larger than " + std::to_string(kMaxInputBytes) + " bytes"};
    if (bad) return core::Error{name + ": read error"};
    return text;
}

} // namespace

int runScreenCommand(int argc, char** argv) { return runScreenCommand(argc, argv, stdin, stdout, stderr); }

int runScreenCommand(int argc, char** argv, std::FILE* in, std::FILE* out, std::FILE* err) {
    core::cli::Args args(argc, argv);
    std::string file, field = "text", namesFile;
    bool form = false, haveFile = false, showText = false;
    while (args.next()) {
        const std::string_view flag = args.flag();
        if (flag == "--help" || flag == "-h") { usage(out); return 0; }
        if (flag == "--form") { form = true; continue; }
        if (flag == "--show-text") { showText = true; continue; }
        if (flag == "--field" || flag == "--names") {
            auto v = args.value();
            if (!v) return fail(err, v.error().message);
            if (v->empty()) return fail(err, std::string(flag) + " needs a value");
            (flag == "--field" ? field : namesFile) = *v;
            continue;
        }
        if (flag.size() > 1 && flag[0] == '-') return fail(err, "unknown option '" + std::string(flag) + "' (see --help)");
        if (haveFile) return fail(err, "one FILE (or -) at a time (see --help)");
        file = flag;
        haveFile = true;
    }
    if (!haveFile) return fail(err, "needs FILE or - (see --help)");

    clinic::ScreenContext ctx;
    if (!namesFile.empty()) {
        if (namesFile == "-" && file == "-") return fail(err, "--names - and FILE - cannot both read stdin");
        auto names = readAll(namesFile, in);
        if (!names) return fail(err, names.error().message);
        std::size_t from = 0;
        while (from < names->size()) {
            std::size_t to = names->find('\n', from);
            if (to == std::string::npos) to = names->size();
            std::string line = names->substr(from, to - from);
            from = to + 1;
            while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
            const auto b = line.find_first_not_of(" \t");
            if (b == std::string::npos || line[b] == '#') continue;
            ctx.knownNames.push_back(line.substr(b));
        }
    }

    auto text = readAll(file, in);
    if (!text) return fail(err, text.error().message);
    const std::string source = file == "-" ? std::string("stdin") : file;

    std::vector<clinic::FilledField> fields;
    if (form) {
        auto parsed = clinic::parseFilledForm(*text, source);
        if (!parsed) return fail(err, parsed.error().message);
        fields = std::move(*parsed);
    } else {
        fields.push_back({field, std::move(*text)});
    }
    std::size_t findings = 0;
    for (const auto& f : fields) {
        for (const auto& finding : clinic::screenText(f.name, f.value, ctx)) {
            std::fprintf(out, "%s\n", clinic::findingJson(finding, f.value, showText).c_str());
            ++findings;
        }
    }
    std::fflush(out);
    return findings > 0 ? 1 : 0;
}

} // namespace caseroom::tools
