// Corpus assembly: clean clinical sentences (clinical_text.cpp) with planted
// identifier sentences (identifiers.cpp) placed among them, spans recorded
// as the fields are joined.
#include "corpus.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "clinical_text.h"
#include "identifiers.h"

namespace caseroom::clinic::phi_corpus {
namespace {

using Segment = std::vector<Part>;

// The next kinds to plant: every kind in turn, reshuffled each round, names
// twice a round (they come in the most shapes).
class KindQueue {
public:
    PhiKind next(core::Rng& rng) {
        if (queue_.empty()) {
            for (std::uint8_t k = 0; k < static_cast<std::uint8_t>(PhiKind::Count); ++k) queue_.push_back(static_cast<PhiKind>(k));
            queue_.push_back(PhiKind::Name);
            for (std::size_t i = queue_.size(); i > 1; --i) std::swap(queue_[i - 1], queue_[rng.below(static_cast<std::uint32_t>(i))]);
        }
        const PhiKind k = queue_.back();
        queue_.pop_back();
        return k;
    }

private:
    std::vector<PhiKind> queue_;
};

std::size_t fieldIndex(std::string_view name) {
    const auto& names = fieldNames();
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

// The last (first) n space-separated words of s, with the spaces next to the value kept.
std::string lastWords(const std::string& s, int n) {
    std::size_t at = s.size();
    while (at > 0 && s[at - 1] == ' ') --at;
    for (int w = 0; w < n && at > 0; ++w) {
        while (at > 0 && s[at - 1] != ' ') --at;
        if (w + 1 < n) while (at > 0 && s[at - 1] == ' ') --at;
    }
    return s.substr(at);
}

std::string firstWords(const std::string& s, int n) {
    std::size_t at = 0;
    while (at < s.size() && s[at] == ' ') ++at;
    for (int w = 0; w < n && at < s.size(); ++w) {
        while (at < s.size() && s[at] != ' ') ++at;
        if (w + 1 < n) while (at < s.size() && s[at] == ' ') ++at;
    }
    return s.substr(0, at);
}

CorpusCase assemble(core::Rng& rng, const CleanCase& clean, std::vector<std::vector<Segment>> fields) {
    CorpusCase c;
    c.program = clean.program;
    for (std::size_t f = 0; f < fields.size(); ++f) {
        CorpusField out;
        out.name = std::string(fieldNames()[f]);
        const char* sep = rng.chance(0.2) ? "\n" : " ";
        for (std::size_t s = 0; s < fields[f].size(); ++s) {
            if (s > 0) out.text += sep;
            const Segment& seg = fields[f][s];
            for (std::size_t j = 0; j < seg.size(); ++j) {
                const Part& p = seg[j];
                const auto begin = static_cast<std::uint32_t>(out.text.size());
                out.text += p.text;
                if (!p.kind) continue;
                const std::string before = j > 0 && !seg[j - 1].kind ? lastWords(seg[j - 1].text, 3) : "";
                const std::string after = j + 1 < seg.size() && !seg[j + 1].kind ? firstWords(seg[j + 1].text, 2) : "";
                c.planted.push_back({static_cast<std::uint32_t>(f), begin, static_cast<std::uint32_t>(out.text.size()), *p.kind,
                                     p.shape, before + "@" + after});
            }
        }
        c.fields.push_back(std::move(out));
    }
    c.clean = c.planted.empty();
    return c;
}

} // namespace

const std::vector<std::string>& rosterNames() { return rosterClinicians(); }

std::vector<CorpusCase> generateCorpus(core::Rng& rng, std::uint32_t count) {
    std::vector<CorpusCase> out;
    out.reserve(count);
    KindQueue kinds;
    for (std::uint32_t i = 0; i < count; ++i) {
        const CleanCase clean = cleanCase(rng);
        std::vector<std::vector<Segment>> fields(clean.fields.size());
        for (std::size_t f = 0; f < clean.fields.size(); ++f)
            for (const auto& s : clean.fields[f]) fields[f].push_back({Part{s, std::nullopt, {}}});
        if (i % 2 == 0) {
            std::vector<std::size_t> leads(fields.size(), 0);
            const auto plants = rng.range(4, 7);
            for (std::int64_t n = 0; n < plants; ++n) {
                PlantSentence s = plantSentence(rng, kinds.next(rng));
                const std::size_t f = fieldIndex(s.field);
                auto& list = fields[f];
                if (s.replaces) {
                    // Drop the field's clean sentences (segments without a labelled part).
                    std::erase_if(list, [](const Segment& seg) { return std::none_of(seg.begin(), seg.end(), [](const Part& p) { return p.kind.has_value(); }); });
                    leads[f] = std::min(leads[f], list.size());
                }
                const std::size_t at = s.lead ? leads[f]++ : leads[f] + rng.below(static_cast<std::uint32_t>(list.size() - leads[f] + 1));
                list.insert(list.begin() + static_cast<std::ptrdiff_t>(at), std::move(s.parts));
            }
        }
        out.push_back(assemble(rng, clean, std::move(fields)));
    }
    return out;
}

core::Result<std::vector<std::string>> loadCleanTexts(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::Error{path + ": cannot open the clean texts"};
    std::vector<std::string> texts;
    std::string line, block;
    auto flush = [&] {
        if (!block.empty()) texts.push_back(block);
        block.clear();
    };
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && line[0] == '#') continue;
        if (line.find_first_not_of(" \t") == std::string::npos) { flush(); continue; }
        if (!block.empty()) block += '\n';
        block += line;
    }
    flush();
    if (texts.empty()) return core::Error{path + ": no texts (blocks are separated by blank lines)"};
    return texts;
}

} // namespace caseroom::clinic::phi_corpus
