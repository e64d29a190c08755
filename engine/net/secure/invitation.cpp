// [SECTION] text helpers  [SECTION] links  [SECTION] files and arguments
// Links are parsed strictly: every part is checked and a fault is named,
// because an invitation arrives by e-mail or chat and may be damaged or
// forged. No error quotes the token (it holds the session keys).
#include "net/secure/invitation.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include <sodium.h>

namespace caseroom::net::secure {
namespace {

// [SECTION] text helpers
constexpr std::string_view kScheme = "caseroom://";
constexpr std::string_view kFileScheme = "file://";
constexpr std::size_t kMaxTokenText = 1024; // base64url of a token file (about 550 characters)

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

bool endsWithNoCase(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && startsWithNoCase(s.substr(s.size() - suffix.size()), suffix);
}

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

// Quoted for a message: at most 40 bytes, control bytes as '?'.
std::string quoted(std::string_view s) {
    std::string out = "'";
    for (std::size_t i = 0; i < s.size() && i < 40; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        out += c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c);
    }
    if (s.size() > 40) out += "...";
    return out + "'";
}

// A query value in an error: short values (a mistyped kind or session) are
// quoted; a long one may be token text cut loose, so only its length shows.
std::string valueForError(std::string_view s) {
    if (s.size() <= 16) return quoted(s);
    return "a value of " + std::to_string(s.size()) + " bytes";
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// %XX decoding; false on a broken escape.
bool percentDecode(std::string_view in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size()) return false;
        const int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return true;
}

bool unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

std::string percentEncodeRoom(std::string_view room) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : room) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(ch) || ch == '@') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

// A DNS name: labels of letters, digits and inner hyphens, 1..63 each, 253 in all.
bool validHostName(std::string_view h) {
    if (h.empty() || h.size() > 253) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i < h.size(); ++i) {
        const char c = h[i];
        if (c == '.') {
            if (label == 0 || h[i - 1] == '-') return false;
            label = 0;
            continue;
        }
        const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && !(c == '-' && label > 0)) return false;
        if (++label > 63) return false;
    }
    return h.back() != '-';
}

// [SECTION] links
core::Result<std::uint16_t> parsePort(std::string_view p) {
    std::uint32_t v = 0;
    const auto r = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || r.ec != std::errc{} || r.ptr != p.data() + p.size() || v < 1 || v > 65535)
        return core::Error{"port " + quoted(p) + " must be a number from 1 to 65535"};
    return static_cast<std::uint16_t>(v);
}

// HOST:PORT, [IPV6]:PORT. Fills host (no brackets) and port.
core::Status parseAuthority(std::string_view a, Invitation& inv) {
    if (a.empty()) return core::Error{"no server address after caseroom://"};
    if (a.find('@') != std::string_view::npos) return core::Error{"the server address may not carry a user name ('@')"};
    std::string_view host, port;
    if (a.front() == '[') {
        const auto close = a.find(']');
        if (close == std::string_view::npos) return core::Error{"'[' without ']' around the IPv6 address"};
        host = a.substr(1, close - 1);
        const std::string_view rest = a.substr(close + 1);
        if (rest.empty()) return core::Error{"no port after the address (HOST:PORT)"};
        if (rest.front() != ':') return core::Error{"':' expected after ']'"};
        port = rest.substr(1);
        in6_addr v6{};
        const std::string h(host);
        if (host.empty() || ::inet_pton(AF_INET6, h.c_str(), &v6) != 1)
            return core::Error{"[" + std::string(host.substr(0, 40)) + "] is not an IPv6 address"};
    } else {
        const auto colon = a.rfind(':');
        if (colon == std::string_view::npos) return core::Error{"no port after the address (HOST:PORT)"};
        host = a.substr(0, colon);
        port = a.substr(colon + 1);
        if (host.empty()) return core::Error{"no server address before the port"};
        if (host.find(':') != std::string_view::npos)
            return core::Error{"an IPv6 address goes in brackets, as [2001:db8::1]:7777"};
        const bool dotted = host.find_first_not_of("0123456789.") == std::string_view::npos;
        if (dotted) {
            in_addr v4{};
            const std::string h(host);
            if (::inet_pton(AF_INET, h.c_str(), &v4) != 1) return core::Error{"host " + quoted(host) + " is not an IPv4 address"};
        } else if (!validHostName(host)) {
            return core::Error{"host " + quoted(host) + " is not a host name or address"};
        }
    }
    auto p = parsePort(port);
    if (!p) return p.error();
    inv.host = std::string(host);
    inv.port = *p;
    return {};
}

core::Status parseRoom(std::string_view path, Invitation& inv) {
    if (path.empty()) return core::Error{"no room code after the address (caseroom://HOST:PORT/ROOM?...)"};
    if (path.find('/') != std::string_view::npos) return core::Error{"the room code may not contain '/' (one path part only)"};
    std::string room;
    if (!percentDecode(path, room)) return core::Error{"the room code has a broken %-escape"};
    if (!validTokenText(room, kTokenRoomMax))
        return core::Error{"the room code must be 1 to " + std::to_string(kTokenRoomMax) + " bytes without control characters"};
    inv.room = std::move(room);
    return {};
}

// base64url (no padding) of a token file, decoded and checked as one.
core::Status parseTokenPart(std::string_view text, std::string_view source, Invitation& inv) {
    if (text.empty()) return core::Error{"token= is empty"};
    if (text.size() > kMaxTokenText) return core::Error{"token= is too long to be a CaseRoom token"};
    std::vector<std::uint8_t> bytes(text.size());
    std::size_t len = 0;
    const char* end = nullptr;
    const int rc = sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &len, &end,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (rc != 0 || end != text.data() + text.size()) {
        wipe(bytes);
        return core::Error{"token= is not base64url (letters, digits, '-' and '_'; the link may be cut short)"};
    }
    bytes.resize(len);
    auto tok = decodeTokenFile(bytes, std::string(source) + " (its token=)");
    wipe(bytes);
    if (!tok) return tok.error();
    inv.token = std::move(*tok);
    return {};
}

// One link, already trimmed. Errors are the fault only; the caller adds the source.
core::Result<Invitation> parseLink(std::string_view link, std::string_view source) {
    if (!startsWithNoCase(link, kScheme)) return core::Error{"not a caseroom:// link"};
    if (link.size() > kMaxInvitationLink) return core::Error{"too long to be an invitation link"};
    for (std::size_t i = 0; i < link.size(); ++i) {
        const auto c = static_cast<unsigned char>(link[i]);
        if (c <= 0x20 || c >= 0x7F)
            return core::Error{"character " + std::to_string(i + 1) +
                               " cannot be in a link (a space or a line break: paste the link as one line)"};
        if (c == '#') return core::Error{"a '#' in the link (an invitation link has no fragment)"};
    }
    Invitation inv;
    std::string_view rest = link.substr(kScheme.size());
    const auto slash = rest.find('/');
    const auto question = rest.find('?');
    if (slash == std::string_view::npos || (question != std::string_view::npos && question < slash)) {
        auto st = parseAuthority(rest.substr(0, std::min(rest.size(), question)), inv);
        if (!st) return st.error();
        return core::Error{"no room code after the address (caseroom://HOST:PORT/ROOM?...)"};
    }
    if (auto st = parseAuthority(rest.substr(0, slash), inv); !st) return st.error();
    rest.remove_prefix(slash + 1);
    const auto q = rest.find('?');
    if (auto st = parseRoom(rest.substr(0, q), inv); !st) return st.error();
    if (q == std::string_view::npos) return core::Error{"no ?session=...&kind=...&token=... after the room code"};
    std::string_view query = rest.substr(q + 1);
    std::optional<std::string_view> session, kind, token;
    for (std::size_t index = 1;; ++index) {
        const auto amp = query.find('&');
        const std::string_view part = query.substr(0, amp);
        const auto eq = part.find('=');
        if (part.empty()) return core::Error{"an empty part in the query (two '&' or a trailing '&')"};
        // Parts are named by their place, never their text: a part without
        // '=' may be token text, and this message reaches stderr and logs.
        if (eq == std::string_view::npos) return core::Error{"part " + std::to_string(index) + " of the query has no '='"};
        const std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
        std::optional<std::string_view>* slot = key == "session" ? &session : key == "kind" ? &kind : key == "token" ? &token : nullptr;
        if (!slot)
            return core::Error{"part " + std::to_string(index) + " of the query is not session=, kind= or token= (made by a newer CaseRoom?)"};
        if (slot->has_value()) return core::Error{"two " + std::string(key) + "= parts"};
        *slot = value;
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    if (!kind) return core::Error{"no kind= part"};
    if (*kind != "session" && *kind != "program")
        return core::Error{"kind= must be session or program (got " + valueForError(*kind) + ")"};
    inv.kind = std::string(*kind);
    if (!session && inv.kind == "session") return core::Error{"no session= part"};
    if (session) {
        std::int64_t id = -1;
        const auto r = std::from_chars(session->data(), session->data() + session->size(), id);
        if (session->empty() || r.ec != std::errc{} || r.ptr != session->data() + session->size() || id < 0)
            return core::Error{"session= must be a whole number, 0 or more (got " + valueForError(*session) + ")"};
        inv.sessionId = id;
    }
    if (inv.kind == "session" && inv.sessionId == 0) return core::Error{"a session invitation needs session= above 0"};
    if (inv.kind == "program" && inv.sessionId != 0) return core::Error{"a program credential has session=0 (got " + valueForError(*session) + ")"};
    const bool programRoom = !inv.room.empty() && inv.room.front() == '@';
    if (inv.kind == "program" && !programRoom) return core::Error{"a program credential's room starts with '@'"};
    if (inv.kind == "session" && programRoom) return core::Error{"a room starting with '@' is a program credential's (kind=program)"};
    if (!token) return core::Error{"no token= part"};
    if (auto st = parseTokenPart(*token, source, inv); !st) return st.error();
    if (inv.token.grant.roomCode != inv.room)
        return core::Error{"the link's room " + quoted(inv.room) + " is not its token's room " + quoted(inv.token.grant.roomCode)};
    return inv;
}

// [SECTION] files and arguments
std::string modeText(unsigned m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", m & 07777);
    return buf;
}

// The wipe-on-exit copy of a file's bytes or a link's text.
struct Secret {
    std::vector<std::uint8_t> bytes;
    ~Secret() { wipe(bytes); }
};

} // namespace

std::string encodeInvitationLink(const Invitation& inv) {
    Secret file{encodeTokenFile(inv.token)};
    std::string b64(sodium_base64_ENCODED_LEN(file.bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(b64.data(), b64.size(), file.bytes.data(), file.bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    b64.resize(std::strlen(b64.c_str()));
    Invitation hostOnly;
    hostOnly.host = inv.host;
    hostOnly.port = inv.port;
    std::string link = std::string(kScheme) + invitationServer(hostOnly) + "/" + percentEncodeRoom(inv.room) +
                       "?session=" + std::to_string(inv.sessionId) + "&kind=" + inv.kind + "&token=" + b64;
    wipe(std::span(reinterpret_cast<std::uint8_t*>(b64.data()), b64.size()));
    return link;
}

core::Result<Invitation> parseInvitation(std::string_view text, std::string_view source) {
    const auto bad = [&](const std::string& what) { return core::Error{std::string(source) + ": " + what}; };
    if (text.size() > kMaxInvitationBytes) return bad("too large to be an invitation");
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3); // a BOM from an editor
    std::string_view link;
    std::size_t linkLine = 0, lines = 0;
    bool multiLine = false;
    for (std::size_t pos = 0; pos <= text.size();) {
        const auto nl = text.find('\n', pos);
        const std::string_view line = trim(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
        ++lines;
        if (nl != std::string_view::npos && nl + 1 < text.size()) multiLine = true;
        if (!line.empty() && line.front() != '#') {
            if (!link.empty())
                return bad("line " + std::to_string(lines) + ": a second link (an invitation holds one caseroom:// link)");
            link = line;
            linkLine = lines;
        }
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    if (link.empty()) return bad("no caseroom:// link in it");
    auto inv = parseLink(link, source);
    if (!inv) {
        // Token file errors already name the source.
        if (inv.error().message.rfind("token file ", 0) == 0) return inv.error();
        return bad((multiLine ? "line " + std::to_string(linkLine) + ": " : std::string()) + inv.error().message);
    }
    return inv;
}

core::Status writeInvitationFile(const std::string& path, const Invitation& inv, std::string_view comment) {
    std::string link = encodeInvitationLink(inv);
    // What is written must read back: a bad field is refused here, naming the file.
    if (auto back = parseInvitation(link, "invitation " + path); !back) {
        wipe(std::span(reinterpret_cast<std::uint8_t*>(link.data()), link.size()));
        return core::Error{back.error().message + " (nothing written)"};
    }
    Secret text;
    const auto add = [&](std::string_view s) { text.bytes.insert(text.bytes.end(), s.begin(), s.end()); };
    add("# CaseRoom invitation. Open it with CaseRoom (caseroom FILE), or paste the link below\n"
        "# into the join screen. It is your personal key to the session: do not forward it.\n");
    std::size_t start = 0;
    while (start <= comment.size() && !comment.empty()) {
        const auto nl = comment.find('\n', start);
        const std::string_view line = comment.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        std::string clean;
        for (char c : line)
            if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) clean += c;
        add("# ");
        add(clean);
        add("\n");
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    add(link);
    add("\n");
    wipe(std::span(reinterpret_cast<std::uint8_t*>(link.data()), link.size()));
    if (text.bytes.size() > kMaxInvitationBytes) return core::Error{"invitation " + path + ": the comment is too long (nothing written)"};
    return writePrivateFile(path, text.bytes, "invitation");
}

std::string invitationFileModeProblem(const std::string& path, unsigned mode) {
    if ((mode & 077) == 0) return {};
    return "invitation " + path + " has mode " + modeText(mode) +
           ": group or others may read the invitation's keys; run: chmod 600 " + path;
}

core::Result<Invitation> readInvitationFile(const std::string& path) {
    const auto fail = [&](const std::string& what) { return core::Error{"invitation " + path + ": " + what}; };
    // O_NONBLOCK: a FIFO planted at the path must not hang the reader.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return fail(std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail("not a regular file");
    }
    if (const std::string problem = invitationFileModeProblem(path, st.st_mode); !problem.empty()) {
        ::close(fd);
        return core::Error{problem};
    }
    Secret file;
    file.bytes.resize(kMaxInvitationBytes + 1);
    std::size_t got = 0;
    while (got < file.bytes.size()) {
        const ssize_t n = ::read(fd, file.bytes.data() + got, file.bytes.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int e = errno;
            ::close(fd);
            return fail(std::string("cannot read: ") + std::strerror(e));
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (got > kMaxInvitationBytes) return fail("too large to be an invitation");
    return parseInvitation(std::string_view(reinterpret_cast<const char*>(file.bytes.data()), got), "invitation " + path);
}

bool looksLikeInvitationLink(std::string_view text) { return startsWithNoCase(trim(text), kScheme); }

bool looksLikeInvitation(std::string_view arg) {
    return looksLikeInvitationLink(arg) || endsWithNoCase(trim(arg), ".caseroom");
}

std::string invitationServer(const Invitation& inv) {
    const bool v6 = inv.host.find(':') != std::string::npos;
    return (v6 ? "[" + inv.host + "]" : inv.host) + ":" + std::to_string(inv.port);
}

core::Result<std::string> pathFromFileUrl(std::string_view url) {
    if (!startsWithNoCase(url, kFileScheme)) return core::Error{quoted(url) + " is not a file:// URL"};
    std::string_view rest = url.substr(kFileScheme.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return core::Error{quoted(url) + ": no path in the file:// URL"};
    const std::string_view host = rest.substr(0, slash);
    if (!host.empty() && host != "localhost")
        return core::Error{quoted(url) + ": a file on another machine (" + quoted(host) + ") cannot be opened"};
    std::string path;
    if (!percentDecode(rest.substr(slash), path)) return core::Error{quoted(url) + ": a broken %-escape in the path"};
    if (path.find('\0') != std::string::npos) return core::Error{quoted(url) + ": a NUL byte in the path"};
    return path;
}

core::Result<Invitation> loadInvitation(std::string_view arg) {
    if (looksLikeInvitationLink(arg)) return parseInvitation(arg, "caseroom:// link");
    if (startsWithNoCase(arg, kFileScheme)) {
        auto path = pathFromFileUrl(arg);
        if (!path) return path.error();
        return readInvitationFile(*path);
    }
    return readInvitationFile(std::string(arg));
}

} // namespace caseroom::net::secure
