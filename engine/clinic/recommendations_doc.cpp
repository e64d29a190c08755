// The recommendations document (recommendations_doc.h).
//
// [SECTION] loading from the records
// [SECTION] HTML
// [SECTION] JSON out
// [SECTION] JSON in (a small strict parser: no library is a dependency)
#include "clinic/recommendations_doc.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "clinic/case_form.h"
#include "clinic/schedule.h"
#include "clinic/session_plan.h"
#include "core/utf8.h"

namespace caseroom::clinic {

// ---- [SECTION] loading from the records ---------------------------------------------------

core::Result<RecommendationsDoc> loadRecommendationsDoc(store::Records& records, std::int64_t sessionId, std::int64_t caseId) {
    RecommendationsDoc d;
    auto session = records.session(sessionId);
    if (!session) return session.error();
    auto program = records.program(session->programId);
    if (!program) return program.error();
    auto c = records.caseRecord(caseId);
    if (!c) return c.error();
    if (c->sessionId != sessionId)
        return core::Error{"case " + std::to_string(caseId) + " is not on session " + std::to_string(sessionId)};
    d.programCode = program->code;
    d.programName = program->name;
    d.sessionId = session->id;
    d.sessionTitle = session->title;
    d.sessionStartUtc = session->startUtc;
    d.sessionEndUtc = std::max(session->endUtc, session->extendedUntil);
    d.timeZone = program->timeZone;
    d.sessionLocal = formatLocal(session->startUtc, program->timeZone);
    d.caseId = c->id;
    auto presenter = records.person(c->presenterId);
    if (!presenter) return presenter.error();
    d.presenter = presenter->name;

    // The de-identified portion only: the fields the form shows in the room
    // (never a coordinator's note); deck fields are hashes, not for reading.
    auto form = parseFormTemplate(program->formTemplate, "program " + program->code + " form");
    if (!form) return form.error();
    std::vector<FilledField> filled;
    for (const auto& f : c->fields) filled.push_back({f.name, f.value});
    for (const auto& f : roomFields(*form, filled)) {
        const FormField* def = form->find(f.name);
        if (f.name == "question") {
            d.question = f.value;
            continue;
        }
        if (!def || def->kind == FieldKind::Deck) continue;
        d.caseFields.push_back({f.name, def->label.empty() ? f.name : def->label, f.value});
    }

    auto recs = records.recommendations(sessionId, caseId);
    if (!recs) return recs.error();
    const store::Recommendation* summary = nullptr;
    for (const auto& r : *recs) {
        if (r.withdrawnAt != 0) continue;
        if (r.consensus) {
            summary = &r;   // ordered by time: the newest standing one wins
            continue;
        }
        d.recommendations.push_back({r.authorName, core::toString(r.authorRole), r.createdAt, r.editedAt, r.text});
    }
    if (summary)
        d.consensus = DocEntry{summary->authorName, core::toString(summary->authorRole), summary->createdAt, summary->editedAt,
                               summary->text};

    auto nameOf = [&](std::int64_t id) -> core::Result<std::string> {
        if (id == 0) return std::string();
        auto p = records.person(id);
        if (!p) return p.error();
        return p->name;
    };
    auto fac = nameOf(session->facilitatorId);
    if (!fac) return fac.error();
    d.facilitator = *fac;
    auto co = nameOf(session->coFacilitatorId);
    if (!co) return co.error();
    d.coFacilitator = *co;
    auto present = records.attendance(sessionId);
    if (!present) return present.error();
    std::set<std::string> seen{d.facilitator, d.coFacilitator};
    for (const auto& a : *present) {
        if (a.role == core::Role::Facilitator && d.facilitator.empty()) {
            d.facilitator = a.displayName;
            seen.insert(a.displayName);
        }
        if (a.role == core::Role::Specialist && seen.insert(a.displayName).second) d.specialists.push_back(a.displayName);
    }
    if (d.facilitator.empty() && summary) d.facilitator = summary->authorName;
    d.liability = program->liability.empty() ? std::string(kDefaultLiability) : program->liability;
    return d;
}

// ---- [SECTION] HTML -------------------------------------------------------------------------

std::string escapeHtml(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (const char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

namespace {

// Escaped, with line breaks kept as <br>.
std::string htmlText(std::string_view s) {
    std::string out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const std::size_t nl = s.find('\n', start);
        out += escapeHtml(s.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
        if (nl == std::string_view::npos) break;
        out += "<br>";
        start = nl + 1;
    }
    return out;
}

std::string when(const DocEntry& e) {
    std::string t = formatUtcIso(e.postedUtc);
    if (e.editedUtc) t += " (edited " + formatUtcIso(e.editedUtc) + ")";
    return t;
}

} // namespace

std::string renderHtml(const RecommendationsDoc& d) {
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    h += "<title>Recommendations: " + escapeHtml(d.programName) + ", " + escapeHtml(d.sessionLocal) + ", case " +
         std::to_string(d.caseId) + "</title>\n";
    h += "<style>\n"
         "body{font-family:Georgia,serif;max-width:46em;margin:2em auto;padding:0 1em;color:#111;line-height:1.4}\n"
         "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:1.6em}\n"
         "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}\n"
         ".entry{margin:.6em 0;padding:.4em .6em;border-left:3px solid #bbb}.consensus{border-left:4px solid #333;background:#f3f3f3}\n"
         ".meta{font-size:.85em;color:#444}.liability{margin-top:2em;font-size:.9em;border-top:1px solid #999;padding-top:.6em}\n"
         "@media print{body{margin:0;max-width:none}.entry{break-inside:avoid}}\n"
         "</style>\n</head>\n<body>\n";
    h += "<h1>Recommendations for the presenter</h1>\n";
    h += "<p class=\"meta\">" + escapeHtml(d.programName) + " (" + escapeHtml(d.programCode) + ") &middot; " +
         escapeHtml(d.sessionTitle) + " &middot; " + escapeHtml(d.sessionLocal) + " (" + escapeHtml(formatUtcIso(d.sessionStartUtc)) +
         ") &middot; session " + std::to_string(d.sessionId) + ", case " + std::to_string(d.caseId) + "</p>\n";
    h += "<p>Presented by <strong>" + escapeHtml(d.presenter) + "</strong></p>\n";

    h += "<h2>The case (de-identified)</h2>\n<dl>\n";
    for (const auto& f : d.caseFields) h += "<dt>" + escapeHtml(f.label) + "</dt><dd>" + htmlText(f.value) + "</dd>\n";
    h += "</dl>\n";
    h += "<h2>The question</h2>\n<p>" + (d.question.empty() ? std::string("(none given)") : htmlText(d.question)) + "</p>\n";

    h += "<h2>Consensus</h2>\n";
    if (d.consensus) {
        h += "<div class=\"entry consensus\"><p>" + htmlText(d.consensus->text) + "</p><p class=\"meta\">" +
             escapeHtml(d.consensus->author) + " (" + escapeHtml(d.consensus->role) + "), " + escapeHtml(when(*d.consensus)) +
             "</p></div>\n";
    } else {
        h += "<p>(no summary was written)</p>\n";
    }
    h += "<h2>Recommendations</h2>\n";
    if (d.recommendations.empty()) h += "<p>(none)</p>\n";
    for (const auto& r : d.recommendations)
        h += "<div class=\"entry\"><p>" + htmlText(r.text) + "</p><p class=\"meta\">" + escapeHtml(r.author) + " (" +
             escapeHtml(r.role) + "), " + escapeHtml(when(r)) + "</p></div>\n";

    h += "<h2>The hub</h2>\n<dl>\n";
    h += "<dt>Facilitator</dt><dd>" + (d.facilitator.empty() ? std::string("(not named)") : escapeHtml(d.facilitator)) + "</dd>\n";
    if (!d.coFacilitator.empty()) h += "<dt>Co-facilitator</dt><dd>" + escapeHtml(d.coFacilitator) + "</dd>\n";
    h += "<dt>Specialists present</dt><dd>";
    if (d.specialists.empty()) h += "(none recorded)";
    for (std::size_t i = 0; i < d.specialists.size(); ++i) h += (i ? ", " : "") + escapeHtml(d.specialists[i]);
    h += "</dd>\n</dl>\n";
    h += "<p class=\"liability\">" + htmlText(d.liability) + "</p>\n";
    h += "</body>\n</html>\n";
    return h;
}

// ---- [SECTION] JSON out ---------------------------------------------------------------------

namespace {

void jsonString(std::string& out, std::string_view s) {
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else if (c == '<') {
                out += "\\u003c";   // safe to embed in an HTML page as well
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

struct JsonWriter {
    std::string out;
    int depth = 0;
    bool first = true;
    void indent() {
        out += '\n';
        out.append(static_cast<std::size_t>(depth) * 2, ' ');
    }
    void key(std::string_view k) {
        if (!first) out += ',';
        first = false;
        indent();
        jsonString(out, k);
        out += ": ";
    }
    void open(char c) {
        out += c;
        ++depth;
        first = true;
    }
    void close(char c) {
        --depth;
        if (!first) indent();
        out += c;
        first = false;
    }
    void item() {
        if (!first) out += ',';
        first = false;
        indent();
    }
    void str(std::string_view k, std::string_view v) { key(k); jsonString(out, v); }
    void num(std::string_view k, std::int64_t v) { key(k); out += std::to_string(v); }
};

void entryJson(JsonWriter& w, const DocEntry& e) {
    w.open('{');
    w.str("author", e.author);
    w.str("role", e.role);
    w.num("posted_utc", e.postedUtc);
    w.str("posted", formatUtcIso(e.postedUtc));
    w.num("edited_utc", e.editedUtc);
    w.str("text", e.text);
    w.close('}');
}

} // namespace

std::string toJson(const RecommendationsDoc& d) {
    JsonWriter w;
    w.open('{');
    w.str("format", kRecommendationsFormat);
    w.key("program");
    w.open('{');
    w.str("code", d.programCode);
    w.str("name", d.programName);
    w.str("time_zone", d.timeZone);
    w.str("liability", d.liability);
    w.close('}');
    w.key("session");
    w.open('{');
    w.num("id", d.sessionId);
    w.str("title", d.sessionTitle);
    w.num("start_utc", d.sessionStartUtc);
    w.num("end_utc", d.sessionEndUtc);
    w.str("start", formatUtcIso(d.sessionStartUtc));
    w.str("local", d.sessionLocal);
    w.close('}');
    w.key("case");
    w.open('{');
    w.num("id", d.caseId);
    w.str("presenter", d.presenter);
    w.str("question", d.question);
    w.key("fields");
    w.open('[');
    for (const auto& f : d.caseFields) {
        w.item();
        w.open('{');
        w.str("name", f.name);
        w.str("label", f.label);
        w.str("value", f.value);
        w.close('}');
    }
    w.close(']');
    w.close('}');
    w.key("recommendations");
    w.open('[');
    for (const auto& r : d.recommendations) {
        w.item();
        entryJson(w, r);
    }
    w.close(']');
    w.key("consensus");
    if (d.consensus) entryJson(w, *d.consensus);
    else w.out += "null";
    w.key("hub");
    w.open('{');
    w.str("facilitator", d.facilitator);
    w.str("co_facilitator", d.coFacilitator);
    w.key("specialists");
    w.open('[');
    for (const auto& s : d.specialists) {
        w.item();
        jsonString(w.out, s);
    }
    w.close(']');
    w.close('}');
    w.close('}');
    w.out += '\n';
    return std::move(w.out);
}

// ---- [SECTION] JSON in ------------------------------------------------------------------------

namespace {

struct Json {
    enum class Type : std::uint8_t { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    bool boolean = false;
    std::string text;                 // String: the value; Number: the literal
    std::vector<Json> items;          // Array
    std::vector<std::pair<std::string, Json>> members;   // Object, in order
    [[nodiscard]] const Json* get(std::string_view k) const {
        for (const auto& [name, v] : members)
            if (name == k) return &v;
        return nullptr;
    }
};

class Parser {
public:
    explicit Parser(std::string_view s) : s_(s) {}
    bool parse(Json& out) {
        ws();
        if (!value(out, 0)) return false;
        ws();
        if (pos_ != s_.size()) return fail("text after the end of the document");
        return true;
    }
    std::string error;

private:
    static constexpr int kMaxDepth = 16;
    bool fail(std::string_view what) {
        if (error.empty()) error = std::string(what) + " at byte " + std::to_string(pos_);
        return false;
    }
    void ws() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
    }
    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return fail("unknown literal");
        pos_ += word.size();
        return true;
    }
    bool value(Json& v, int depth) {
        if (depth > kMaxDepth) return fail("nested too deep");
        if (pos_ >= s_.size()) return fail("unexpected end");
        const char c = s_[pos_];
        if (c == '{') return object(v, depth);
        if (c == '[') return array(v, depth);
        if (c == '"') {
            v.type = Json::Type::String;
            return string(v.text);
        }
        if (c == 't') { v.type = Json::Type::Bool; v.boolean = true; return literal("true"); }
        if (c == 'f') { v.type = Json::Type::Bool; v.boolean = false; return literal("false"); }
        if (c == 'n') { v.type = Json::Type::Null; return literal("null"); }
        if (c == '-' || (c >= '0' && c <= '9')) return number(v);
        return fail("unexpected character");
    }
    bool object(Json& v, int depth) {
        v.type = Json::Type::Object;
        ++pos_;
        ws();
        if (pos_ < s_.size() && s_[pos_] == '}') { ++pos_; return true; }
        for (;;) {
            ws();
            if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a key");
            std::string k;
            if (!string(k)) return false;
            for (const auto& m : v.members)
                if (m.first == k) return fail("key '" + k + "' given twice");
            ws();
            if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
            ++pos_;
            ws();
            Json member;
            if (!value(member, depth + 1)) return false;
            v.members.emplace_back(std::move(k), std::move(member));
            ws();
            if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
            if (pos_ < s_.size() && s_[pos_] == '}') { ++pos_; return true; }
            return fail("expected ',' or '}'");
        }
    }
    bool array(Json& v, int depth) {
        v.type = Json::Type::Array;
        ++pos_;
        ws();
        if (pos_ < s_.size() && s_[pos_] == ']') { ++pos_; return true; }
        for (;;) {
            ws();
            Json item;
            if (!value(item, depth + 1)) return false;
            v.items.push_back(std::move(item));
            ws();
            if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
            if (pos_ < s_.size() && s_[pos_] == ']') { ++pos_; return true; }
            return fail("expected ',' or ']'");
        }
    }
    bool number(Json& v) {
        v.type = Json::Type::Number;
        const std::size_t start = pos_;
        auto digits = [&] {
            const std::size_t d = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
            return pos_ > d;
        };
        if (s_[pos_] == '-') ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '0') ++pos_;
        else if (!digits()) return fail("bad number");
        if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            if (!digits()) return fail("bad number");
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            if (!digits()) return fail("bad number");
        }
        v.text = std::string(s_.substr(start, pos_ - start));
        return true;
    }
    bool hex4(std::uint32_t& out) {
        if (pos_ + 4 > s_.size()) return fail("short \\u escape");
        out = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = s_[pos_++];
            out <<= 4;
            if (c >= '0' && c <= '9') out |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f') out |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') out |= static_cast<std::uint32_t>(c - 'A' + 10);
            else return fail("bad \\u escape");
        }
        return true;
    }
    static void utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) out += static_cast<char>(cp);
        else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    bool string(std::string& out) {
        ++pos_;   // the opening quote
        const std::size_t begin = pos_;
        for (;;) {
            if (pos_ >= s_.size()) return fail("unterminated string");
            const auto c = static_cast<unsigned char>(s_[pos_]);
            if (c == '"') {
                ++pos_;
                break;
            }
            if (c < 0x20) return fail("control character in a string");
            if (c != '\\') {
                out += static_cast<char>(c);
                ++pos_;
                continue;
            }
            ++pos_;
            if (pos_ >= s_.size()) return fail("unterminated escape");
            const char e = s_[pos_++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                std::uint32_t cp = 0;
                if (!hex4(cp)) return false;
                if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    std::uint32_t lo = 0;
                    if (s_.substr(pos_, 2) != "\\u") return fail("lone high surrogate");
                    pos_ += 2;
                    if (!hex4(lo)) return false;
                    if (lo < 0xDC00 || lo > 0xDFFF) return fail("bad surrogate pair");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                utf8(out, cp);
                break;
            }
            default: return fail("unknown escape");
            }
        }
        if (!core::validUtf8(s_.substr(begin, pos_ - 1 - begin))) return fail("a string is not valid UTF-8");
        return true;
    }
    std::string_view s_;
    std::size_t pos_ = 0;
};

// Field readers: false (and the error) when missing or of the wrong type.
struct Reader {
    std::string error;
    bool str(const Json& o, std::string_view k, std::string& out, std::string_view where) {
        const Json* v = o.get(k);
        if (!v || v->type != Json::Type::String) return bad(where, k, "a string");
        out = v->text;
        return true;
    }
    bool num(const Json& o, std::string_view k, std::int64_t& out, std::string_view where) {
        const Json* v = o.get(k);
        if (!v || v->type != Json::Type::Number || v->text.find_first_of(".eE") != std::string::npos) return bad(where, k, "an integer");
        errno = 0;
        char* end = nullptr;
        const long long n = std::strtoll(v->text.c_str(), &end, 10);
        if (errno != 0 || !end || *end != '\0') return bad(where, k, "an integer in range");
        out = n;
        return true;
    }
    const Json* obj(const Json& o, std::string_view k, std::string_view where) {
        const Json* v = o.get(k);
        if (!v || v->type != Json::Type::Object) { bad(where, k, "an object"); return nullptr; }
        return v;
    }
    const Json* arr(const Json& o, std::string_view k, std::string_view where) {
        const Json* v = o.get(k);
        if (!v || v->type != Json::Type::Array) { bad(where, k, "an array"); return nullptr; }
        return v;
    }
    bool bad(std::string_view where, std::string_view k, std::string_view what) {
        if (error.empty()) error = std::string(where) + "." + std::string(k) + ": expected " + std::string(what);
        return false;
    }
    bool entry(const Json& e, DocEntry& out, std::string_view where) {
        if (e.type != Json::Type::Object) return bad(where, "", "an object");
        return str(e, "author", out.author, where) && str(e, "role", out.role, where) && num(e, "posted_utc", out.postedUtc, where) &&
               num(e, "edited_utc", out.editedUtc, where) && str(e, "text", out.text, where);
    }
};

} // namespace

std::optional<RecommendationsDoc> fromJson(std::string_view text, std::string* error) {
    auto failWith = [&](std::string why) -> std::optional<RecommendationsDoc> {
        if (error) *error = std::move(why);
        return std::nullopt;
    };
    if (text.size() > (std::size_t{16} << 20)) return failWith("larger than 16 MiB");
    Json root;
    Parser p(text);
    if (!p.parse(root)) return failWith(p.error);
    if (root.type != Json::Type::Object) return failWith("the document is not an object");
    Reader r;
    RecommendationsDoc d;
    std::string format;
    if (!r.str(root, "format", format, "$")) return failWith(r.error);
    if (format != kRecommendationsFormat)
        return failWith("format '" + format + "' is not " + std::string(kRecommendationsFormat));
    const Json* program = r.obj(root, "program", "$");
    const Json* session = r.obj(root, "session", "$");
    const Json* kase = r.obj(root, "case", "$");
    const Json* recs = r.arr(root, "recommendations", "$");
    const Json* hub = r.obj(root, "hub", "$");
    if (!program || !session || !kase || !recs || !hub) return failWith(r.error);
    if (!r.str(*program, "code", d.programCode, "program") || !r.str(*program, "name", d.programName, "program") ||
        !r.str(*program, "time_zone", d.timeZone, "program") || !r.str(*program, "liability", d.liability, "program"))
        return failWith(r.error);
    if (!r.num(*session, "id", d.sessionId, "session") || !r.str(*session, "title", d.sessionTitle, "session") ||
        !r.num(*session, "start_utc", d.sessionStartUtc, "session") || !r.num(*session, "end_utc", d.sessionEndUtc, "session") ||
        !r.str(*session, "local", d.sessionLocal, "session"))
        return failWith(r.error);
    if (!r.num(*kase, "id", d.caseId, "case") || !r.str(*kase, "presenter", d.presenter, "case") ||
        !r.str(*kase, "question", d.question, "case"))
        return failWith(r.error);
    const Json* fields = r.arr(*kase, "fields", "case");
    if (!fields) return failWith(r.error);
    for (const auto& f : fields->items) {
        DocField df;
        if (f.type != Json::Type::Object || !r.str(f, "name", df.name, "case.fields[]") || !r.str(f, "label", df.label, "case.fields[]") ||
            !r.str(f, "value", df.value, "case.fields[]"))
            return failWith(r.error.empty() ? "case.fields[]: expected an object" : r.error);
        d.caseFields.push_back(std::move(df));
    }
    for (const auto& e : recs->items) {
        DocEntry de;
        if (!r.entry(e, de, "recommendations[]")) return failWith(r.error);
        d.recommendations.push_back(std::move(de));
    }
    const Json* consensus = root.get("consensus");
    if (!consensus) return failWith("$.consensus: expected an object or null");
    if (consensus->type != Json::Type::Null) {
        DocEntry de;
        if (!r.entry(*consensus, de, "consensus")) return failWith(r.error);
        d.consensus = std::move(de);
    }
    if (!r.str(*hub, "facilitator", d.facilitator, "hub") || !r.str(*hub, "co_facilitator", d.coFacilitator, "hub"))
        return failWith(r.error);
    const Json* specialists = r.arr(*hub, "specialists", "hub");
    if (!specialists) return failWith(r.error);
    for (const auto& s : specialists->items) {
        if (s.type != Json::Type::String) return failWith("hub.specialists[]: expected a string");
        d.specialists.push_back(s.text);
    }
    return d;
}

} // namespace caseroom::clinic
