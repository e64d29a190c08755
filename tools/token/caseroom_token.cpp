// caseroom-token: mints a connect token file for one person, or inspects one.
// The library (net/secure/token.h) does the work; this file parses options.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

#include "net/secure/key_file.h"
#include "net/secure/token.h"

using namespace caseroom;
using namespace caseroom::net::secure;

namespace {

void usage(std::FILE* to) {
    std::fputs(
        "usage: caseroom-token --key FILE --room CODE --name NAME --role ROLE --user-id N\n"
        "                      [--expires SECONDS] --out FILE\n"
        "       caseroom-token --inspect FILE [--key FILE]\n"
        "       caseroom-token --help\n"
        "\n"
        "Mints a connect token: one person's invitation to one room, sealed with the\n"
        "deployment's secret key. Give the token file to that person only: it holds\n"
        "their session keys (it is written with mode 0600).\n"
        "\n"
        "options:\n"
        "  --key FILE       the deployment's secret key (32 bytes, mode 0600). Created\n"
        "                   if missing; refused if group or others can read it or its\n"
        "                   size is wrong. The server must use the same file.\n"
        "  --room CODE      room code the token admits to (1-32 printable bytes)\n"
        "  --name NAME      display name shown to the room (1-48 printable bytes)\n"
        "  --role ROLE      facilitator, specialist, coordinator, spoke or observer\n"
        "  --user-id N      the person's stable numeric id (0 to 2^64-1)\n"
        "  --expires SECONDS  lifetime from now, 1 to 31622400 (366 days); default 3600\n"
        "  --out FILE       where to write the token (overwritten, mode 0600)\n"
        "  --now UNIX       mint as if the clock read UNIX seconds (tests, demos)\n"
        "  --inspect FILE   print what a token file says (never the keys); with --key,\n"
        "                   also check that the key opens it and say why not if it fails\n"
        "  --help           this text\n"
        "\n"
        "exit status: 0 done, 1 bad token/key/file, 2 bad usage\n",
        to);
}

bool parseU64(std::string_view s, std::uint64_t& out) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size() && !s.empty();
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
    std::printf("token id:     %016llx\n", static_cast<unsigned long long>(g.tokenId));
    std::printf("user id:      %llu\n", static_cast<unsigned long long>(g.userId));
    std::printf("name:         %s\n", g.displayName.c_str());
    std::printf("room:         %s\n", g.roomCode.c_str());
    std::printf("role:         %s\n", core::toString(g.role));
    std::printf("created:      %s\n", utc(g.createdUnix).c_str());
    std::printf("expires:      %s (%s)\n", utc(tok->wire.expiresUnix).c_str(),
                now >= tok->wire.expiresUnix ? "expired" : "valid now");
    if (keyPath.empty()) return 0;
    auto key = loadKeyFile(keyPath);
    if (!key) {
        std::fprintf(stderr, "caseroom-token: %s\n", key.error().message.c_str());
        return 1;
    }
    const TokenCheck c = openToken(tok->wire, key->bytes, now);
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

} // namespace

int main(int argc, char** argv) {
    std::string keyPath, room, name, roleText, userText, expiresText = "3600", outPath, inspectPath, nowText;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--help" || a == "-h") {
            usage(stdout);
            return 0;
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
    auto key = loadOrCreateKeyFile(keyPath, random);
    if (!key) {
        std::fprintf(stderr, "caseroom-token: %s\n", key.error().message.c_str());
        return 1;
    }
    if (key->created) std::fprintf(stderr, "caseroom-token: created a new secret key in %s (mode 0600)\n", keyPath.c_str());
    auto tok = mintToken(d, key->bytes, random);
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
    return 0;
}
