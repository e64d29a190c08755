// caseroom-token: mints a connect token file for one person, inspects one, or
// revokes a token or a person. The library (net/secure/token.h, revocation.h)
// does the work; this file parses options.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

#include "net/secure/key_file.h"
#include "net/secure/revocation.h"
#include "net/secure/token.h"

using namespace caseroom;
using namespace caseroom::net::secure;

namespace {

void usage(std::FILE* to) {
    std::fputs(
        "usage: caseroom-token --key FILE [--create-key] --room CODE --name NAME --role ROLE\n"
        "                      --user-id N [--expires SECONDS] --out FILE\n"
        "       caseroom-token --inspect FILE [--key FILE]\n"
        "       caseroom-token revoke --revocations FILE (--token-id HEX | --user-id N) [--reason TEXT]\n"
        "       caseroom-token --help\n"
        "\n"
        "Mints a connect token: one person's invitation to one room, sealed with the\n"
        "deployment's secret key. Give the token file to that person only: it holds\n"
        "their session keys (it is written with mode 0600). Minting prints the token\n"
        "id (for revoking it later) and the key id it was sealed under.\n"
        "\n"
        "options:\n"
        "  --key FILE       the deployment's secret key (32 bytes, mode 0600); the server\n"
        "                   must use the same file. Refused if missing (unless\n"
        "                   --create-key), if group or others can read it, or if its\n"
        "                   size is wrong.\n"
        "  --create-key     create the key file if it is missing (a new deployment key:\n"
        "                   servers with another key refuse its tokens as unknown-key)\n"
        "  --room CODE      room code the token admits to (1-32 printable bytes)\n"
        "  --name NAME      display name shown to the room (1-48 printable bytes)\n"
        "  --role ROLE      facilitator, specialist, coordinator, spoke or observer\n"
        "  --user-id N      the person's stable numeric id (0 to 2^64-1)\n"
        "  --expires SECONDS  lifetime from now, 1 to 31622400 (366 days); default 3600\n"
        "  --out FILE       where to write the token (replaced atomically, mode 0600;\n"
        "                   a symbolic link is refused)\n"
        "  --now UNIX       mint (or inspect) as if the clock read UNIX seconds (tests,\n"
        "                   demos). Servers refuse a token created more than 300 s after\n"
        "                   their own clock (not-yet-valid), so this cannot stretch a\n"
        "                   token's life.\n"
        "  --inspect FILE   print what a token file says (never the keys): ids, key id,\n"
        "                   not-before, expiry; with --key, also check that the key\n"
        "                   opens it and say why not if it fails\n"
        "  --help           this text\n"
        "\n"
        "revoke: withdraws one token (--token-id, the 16 hex digits minting and\n"
        "--inspect print) or every token of one person (--user-id) by appending a line\n"
        "to the revocation file the server watches (created 0600; refused if it is a\n"
        "symbolic link or group or others can read it). A server given that file\n"
        "refuses the token as revoked and disconnects its holder within a second.\n"
        "  --revocations FILE  the server's revocation file\n"
        "  --token-id HEX      token id to revoke\n"
        "  --user-id N         user id to revoke\n"
        "  --reason TEXT       kept as a comment on the line\n"
        "\n"
        "exit status: 0 done, 1 bad token/key/file, 2 bad usage\n",
        to);
}

bool parseU64(std::string_view s, std::uint64_t& out) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size() && !s.empty();
}

bool parseHex64(std::string_view s, std::uint64_t& out) {
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    if (s.empty() || s.size() > 16) return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out, 16);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

bool parseRole(std::string_view s, core::Role& out) {
    for (std::uint8_t i = 0; i < static_cast<std::uint8_t>(core::Role::Count); ++i)
        if (s == core::toString(static_cast<core::Role>(i))) {
            out = static_cast<core::Role>(i);
            return true;
        }
    return false;
}

std::string utc(std::uint64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

int inspect(const std::string& path, const std::string& keyPath, std::uint64_t now) {
    auto tok = readTokenFile(path);
    if (!tok) {
        std::fprintf(stderr, "caseroom-token: %s\n", tok.error().message.c_str());
        return 1;
    }
    const TokenGrant& g = tok->grant;
    std::printf("token file:   %s\n", path.c_str());
    std::printf("format:       %u (protocol %u)\n", tok->wire.format, tok->wire.protocolVersion);
    std::printf("key id:       %08x\n", static_cast<unsigned>(tok->wire.keyId));
    std::printf("token id:     %016llx\n", static_cast<unsigned long long>(g.tokenId));
    std::printf("user id:      %llu\n", static_cast<unsigned long long>(g.userId));
    std::printf("name:         %s\n", g.displayName.c_str());
    std::printf("room:         %s\n", g.roomCode.c_str());
    std::printf("role:         %s\n", core::toString(g.role));
    std::printf("created:      %s\n", utc(g.createdUnix).c_str());
    const TokenPolicy policy;
    const bool early = g.createdUnix > now && g.createdUnix - now > policy.clockSkewSeconds;
    std::printf("not before:   %s (created; servers allow %llu s of clock skew)\n", utc(g.createdUnix).c_str(),
                static_cast<unsigned long long>(policy.clockSkewSeconds));
    std::printf("expires:      %s (%s)\n", utc(tok->wire.expiresUnix).c_str(),
                now >= tok->wire.expiresUnix ? "expired" : early ? "not valid yet" : "valid now");
    if (keyPath.empty()) return 0;
    auto key = loadKeyFile(keyPath);
    if (!key) {
        std::fprintf(stderr, "caseroom-token: %s\n", key.error().message.c_str());
        return 1;
    }
    const Keyring ring(key->bytes);
    if (ring.currentId() != tok->wire.keyId)
        std::printf("key:          %s has key id %08x, the token wants %08x\n", keyPath.c_str(),
                    static_cast<unsigned>(ring.currentId()), static_cast<unsigned>(tok->wire.keyId));
    const TokenCheck c = openToken(tok->wire, ring, now);
    if (!c.ok) {
        std::printf("check:        refused: %s (%s)\n", toString(c.refusal), describe(c.refusal));
        return 1;
    }
    const bool same = c.grant.tokenId == g.tokenId && c.grant.userId == g.userId && c.grant.roomCode == g.roomCode &&
                      c.grant.displayName == g.displayName && c.grant.role == g.role;
    std::printf("check:        %s\n", same ? "ok: sealed by this key, clear copy matches"
                                           : "sealed by this key, but the clear copy differs from the sealed one");
    return same ? 0 : 1;
}

int revoke(int argc, char** argv) {
    std::string file, tokenText, userText, reason;
    for (int i = 2; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--help" || a == "-h") {
            usage(stdout);
            return 0;
        }
        std::string* target = nullptr;
        if (a == "--revocations") target = &file;
        else if (a == "--token-id") target = &tokenText;
        else if (a == "--user-id") target = &userText;
        else if (a == "--reason") target = &reason;
        if (!target) {
            std::fprintf(stderr, "caseroom-token revoke: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "caseroom-token revoke: %s needs a value (see --help)\n", argv[i]);
            return 2;
        }
        *target = argv[++i];
    }
    if (file.empty()) {
        std::fprintf(stderr, "caseroom-token revoke: --revocations is required (see --help)\n");
        return 2;
    }
    if (tokenText.empty() == userText.empty()) {
        std::fprintf(stderr, "caseroom-token revoke: give exactly one of --token-id and --user-id\n");
        return 2;
    }
    std::string line, what;
    std::uint64_t id = 0;
    if (!tokenText.empty()) {
        if (!parseHex64(tokenText, id)) {
            std::fprintf(stderr, "caseroom-token revoke: --token-id wants 1 to 16 hex digits, got '%s'\n", tokenText.c_str());
            return 2;
        }
        line = tokenRevocationLine(id, reason);
        char buf[40];
        std::snprintf(buf, sizeof buf, "token %016llx", static_cast<unsigned long long>(id));
        what = buf;
    } else {
        if (!parseU64(userText, id)) {
            std::fprintf(stderr, "caseroom-token revoke: --user-id wants a non-negative integer, got '%s'\n", userText.c_str());
            return 2;
        }
        line = userRevocationLine(id, reason);
        what = "every token of user " + std::to_string(id);
    }
    if (auto st = appendRevocation(file, line); !st) {
        std::fprintf(stderr, "caseroom-token: %s\n", st.error().message.c_str());
        return 1;
    }
    std::printf("revoked %s in %s%s%s\n", what.c_str(), file.c_str(), reason.empty() ? "" : ": ", reason.c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::string_view(argv[1]) == "revoke") return revoke(argc, argv);
    std::string keyPath, room, name, roleText, userText, expiresText = "3600", outPath, inspectPath, nowText;
    bool createKey = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--help" || a == "-h") {
            usage(stdout);
            return 0;
        }
        if (a == "--create-key") {
            createKey = true;
            continue;
        }
        std::string* target = nullptr;
        if (a == "--key") target = &keyPath;
        else if (a == "--room") target = &room;
        else if (a == "--name") target = &name;
        else if (a == "--role") target = &roleText;
        else if (a == "--user-id") target = &userText;
        else if (a == "--expires") target = &expiresText;
        else if (a == "--out") target = &outPath;
        else if (a == "--inspect") target = &inspectPath;
        else if (a == "--now") target = &nowText;
        if (!target) {
            std::fprintf(stderr, "caseroom-token: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "caseroom-token: %s needs a value (see --help)\n", argv[i]);
            return 2;
        }
        *target = argv[++i];
    }
    if (!initCrypto()) {
        std::fprintf(stderr, "caseroom-token: libsodium failed to start\n");
        return 1;
    }
    std::uint64_t now = static_cast<std::uint64_t>(std::time(nullptr));
    if (!nowText.empty() && !parseU64(nowText, now)) {
        std::fprintf(stderr, "caseroom-token: --now wants unix seconds, got '%s'\n", nowText.c_str());
        return 2;
    }
    if (!inspectPath.empty()) return inspect(inspectPath, keyPath, now);

    const char* missing = keyPath.empty() ? "--key" : room.empty() ? "--room" : name.empty() ? "--name"
                        : roleText.empty() ? "--role" : userText.empty() ? "--user-id" : outPath.empty() ? "--out" : nullptr;
    if (missing) {
        std::fprintf(stderr, "caseroom-token: %s is required (see --help)\n", missing);
        return 2;
    }
    MintDesc d;
    d.roomCode = room;
    d.displayName = name;
    d.nowUnix = now;
    if (!parseRole(roleText, d.role)) {
        std::fprintf(stderr, "caseroom-token: unknown role '%s' (facilitator, specialist, coordinator, spoke, observer)\n",
                     roleText.c_str());
        return 2;
    }
    if (!parseU64(userText, d.userId)) {
        std::fprintf(stderr, "caseroom-token: --user-id wants a non-negative integer, got '%s'\n", userText.c_str());
        return 2;
    }
    if (!parseU64(expiresText, d.lifetimeSeconds) || d.lifetimeSeconds == 0 || d.lifetimeSeconds > kMaxTokenLifetime) {
        std::fprintf(stderr, "caseroom-token: --expires wants 1 to %llu seconds, got '%s'\n",
                     static_cast<unsigned long long>(kMaxTokenLifetime), expiresText.c_str());
        return 2;
    }
    SystemRandom random;
    // A mistyped --key must not silently become a new deployment key (audit F-15).
    auto key = createKey ? loadOrCreateKeyFile(keyPath, random) : loadKeyFile(keyPath);
    if (!key) {
        std::fprintf(stderr, "caseroom-token: %s%s\n", key.error().message.c_str(),
                     createKey ? "" : " (check the path; --create-key makes a new deployment key)");
        return 1;
    }
    if (key->created) std::fprintf(stderr, "caseroom-token: created a new secret key in %s (mode 0600)\n", keyPath.c_str());
    const Keyring ring(key->bytes);
    auto tok = mintToken(d, ring, random);
    if (!tok) {
        std::fprintf(stderr, "caseroom-token: %s\n", tok.error().message.c_str());
        return 2;
    }
    if (auto st = writeTokenFile(outPath, *tok); !st) {
        std::fprintf(stderr, "caseroom-token: %s\n", st.error().message.c_str());
        return 1;
    }
    std::printf("wrote %s: %s (%s, user %llu) for room %s, expires %s\n", outPath.c_str(), name.c_str(),
                core::toString(d.role), static_cast<unsigned long long>(d.userId), room.c_str(),
                utc(tok->wire.expiresUnix).c_str());
    std::printf("token id %016llx, key id %08x\n", static_cast<unsigned long long>(tok->grant.tokenId),
                static_cast<unsigned>(tok->wire.keyId));
    return 0;
}
