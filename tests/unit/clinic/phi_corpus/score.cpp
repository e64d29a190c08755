// Scoring: see score.h for the definitions measured.
#include "score.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace caseroom::clinic::phi_corpus {
namespace {

bool overlaps(std::uint32_t b1, std::uint32_t e1, std::uint32_t b2, std::uint32_t e2) { return b1 < e2 && b2 < e1; }

std::size_t idx(PhiKind k) { return static_cast<std::size_t>(k); }

bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

std::string flat(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += " / ";
        else if (c == '\r' || c == '\t') out += ' ';
        else out += c;
    }
    return out;
}

} // namespace

std::string window(std::string_view text, std::uint32_t begin, std::uint32_t end, std::size_t context) {
    const std::size_t b = std::min<std::size_t>(begin, text.size()), e = std::min<std::size_t>(std::max(begin, end), text.size());
    std::size_t lo = b > context ? b - context : 0, hi = std::min(text.size(), e + context);
    while (lo > 0 && isContinuation(static_cast<unsigned char>(text[lo]))) --lo;
    while (hi < text.size() && isContinuation(static_cast<unsigned char>(text[hi]))) ++hi;
    return (lo > 0 ? "..." : "") + flat(text.substr(lo, b - lo)) + "[[" + flat(text.substr(b, e - b)) + "]]" +
           flat(text.substr(e, hi - e)) + (hi < text.size() ? "..." : "");
}

void scoreCase(const CorpusCase& c, const std::vector<PhiFinding>& findings, Tally& t) {
    // Findings per field index (a finding naming no field of the case stays unmatched).
    std::vector<int> fieldOf(findings.size(), -1);
    for (std::size_t i = 0; i < findings.size(); ++i)
        for (std::size_t f = 0; f < c.fields.size(); ++f)
            if (c.fields[f].name == findings[i].field) fieldOf[i] = static_cast<int>(f);

    auto hits = [&](std::size_t i, const Planted& p) {
        return fieldOf[i] == static_cast<int>(p.field) && overlaps(findings[i].begin, findings[i].end, p.begin, p.end);
    };
    // Finding i covers p through the contract's merge: it also overlaps an
    // earlier-starting planted span q of the finding's kind.
    auto mergedInto = [&](std::size_t i, const Planted& p) {
        for (const Planted& q : c.planted)
            if (&q != &p && q.field == p.field && q.begin < p.begin && q.kind == findings[i].kind && hits(i, q)) return true;
        return false;
    };

    for (const Planted& p : c.planted) {
        KindTally& k = t.kinds[idx(p.kind)];
        ++k.planted;
        bool found = false, merged = false, other = false;
        PhiKind otherKind = p.kind;
        for (std::size_t i = 0; i < findings.size(); ++i) {
            if (!hits(i, p)) continue;
            if (findings[i].kind == p.kind) found = true;
            else if (mergedInto(i, p)) merged = true;
            else if (!other) { other = true; otherKind = findings[i].kind; }
        }
        auto& shape = t.shapes[p.shape];
        auto& context = t.contexts[std::string(toString(p.kind)) + ": " + p.context];
        ++shape[0];
        ++context[0];
        if (found || merged) { ++shape[1]; ++context[1]; }
        if (found) { ++k.found; continue; }
        if (merged) { ++k.merged; continue; }
        if (other) ++k.asOther; else ++k.missed;
        const CorpusField& f = c.fields[p.field];
        t.misses.push_back({p.kind, other, otherKind, p.shape, p.context, c.program, f.name, window(f.text, p.begin, p.end)});
    }

    for (std::size_t i = 0; i < findings.size(); ++i) {
        const PhiFinding& fd = findings[i];
        KindTally& k = t.kinds[idx(fd.kind)];
        ++k.findings;
        ++t.findings;
        bool any = false, right = false;
        for (const Planted& p : c.planted) {
            if (!hits(i, p)) continue;
            any = true;
            right = right || p.kind == fd.kind || mergedInto(i, p);
        }
        if (any) ++t.trueFindings;
        if (right) ++k.right;
        else if (any) ++k.wrongKind;
        else {
            ++k.spurious;
            const std::string_view text = fieldOf[i] >= 0 ? std::string_view(c.fields[static_cast<std::size_t>(fieldOf[i])].text) : std::string_view{};
            t.falseFindings.push_back({fd.kind, false, fd.kind, "", "", c.program, fd.field, window(text, fd.begin, fd.end)});
        }
    }
    if (c.planted.empty()) {
        ++t.cleanTexts;
        if (!findings.empty()) ++t.cleanFlagged;
    }
}

void scoreCleanText(std::string_view label, std::string_view field, std::string_view text,
                    const std::vector<PhiFinding>& findings, Tally& t) {
    ++t.cleanTexts;
    if (!findings.empty()) ++t.cleanFlagged;
    for (const PhiFinding& fd : findings) {
        ++t.findings;
        KindTally& k = t.kinds[idx(fd.kind)];
        ++k.findings;
        ++k.spurious;
        t.falseFindings.push_back({fd.kind, false, fd.kind, "", "", std::string(label), std::string(field),
                                   fd.field == field ? window(text, fd.begin, fd.end) : "(finding names another field)"});
    }
}

std::string kindTable(const Tally& t) {
    std::string out = "| kind | planted | found | merged | as other | missed | recall | findings | right | wrong kind | spurious | precision |\n"
                      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    char line[256];
    for (std::size_t i = 0; i < kKinds; ++i) {
        const KindTally& k = t.kinds[i];
        std::snprintf(line, sizeof line, "| %s | %u | %u | %u | %u | %u | %.3f | %u | %u | %u | %u | %.3f |\n",
                      toString(static_cast<PhiKind>(i)), k.planted, k.found, k.merged, k.asOther, k.missed, k.recall(),
                      k.findings, k.right, k.wrongKind, k.spurious, k.precision());
        out += line;
    }
    return out;
}

std::string weakTable(const std::map<std::string, std::array<std::uint32_t, 2>>& counts, const char* what) {
    std::vector<std::pair<std::string, std::array<std::uint32_t, 2>>> weak;
    for (const auto& [shape, n] : counts)
        if (n[1] < n[0]) weak.emplace_back(shape, n);
    std::stable_sort(weak.begin(), weak.end(), [](const auto& a, const auto& b) {
        return static_cast<double>(a.second[1]) / a.second[0] < static_cast<double>(b.second[1]) / b.second[0];
    });
    std::string out = std::string("| ") + what + " | planted | found | recall |\n|---|---:|---:|---:|\n";
    char line[256];
    for (const auto& [shape, n] : weak) {
        std::snprintf(line, sizeof line, "| %s | %u | %u | %.2f |\n", shape.c_str(), n[0], n[1], static_cast<double>(n[1]) / n[0]);
        out += line;
    }
    return out;
}

std::vector<std::pair<std::string, std::uint32_t>> topShapes(const std::vector<Example>& examples, std::size_t n) {
    std::map<std::string, std::uint32_t> counts;
    for (const Example& e : examples) ++counts[e.shape.empty() ? std::string(toString(e.kind)) : e.shape];
    std::vector<std::pair<std::string, std::uint32_t>> v(counts.begin(), counts.end());
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (v.size() > n) v.resize(n);
    return v;
}

} // namespace caseroom::clinic::phi_corpus
