// Connect tokens and the deployment key file: minting, opening, refusal codes,
// token files, key file permissions.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

#include "net/messages.h"
#include "net/secure/key_file.h"
#include "net/secure/token.h"
#include "unit/secure/seeded_random.h"

using namespace caseroom;
using namespace caseroom::net::secure;

namespace {

constexpr std::uint64_t kNow = 1'800'000'000;

Key keyFrom(std::uint64_t seed) {
    test::SeededRandom r(seed);
    Key k{};
    r.fill(k);
    return k;
}

MintDesc desc() {
    MintDesc d;
    d.userId = 42;
    d.displayName = "Dr. Ada Okafor";
    d.roomCode = "hepc-0412";
    d.role = core::Role::Specialist;
    d.nowUnix = kNow;
    d.lifetimeSeconds = 3600;
    return d;
}

std::string tempPath(const char* name) {
    return (std::filesystem::temp_directory_path() / (std::string("caseroom-test-") + std::to_string(::getpid()) + "-" + name)).string();
}

} // namespace

TEST_CASE("token: minted token opens with the deployment key and carries its grant", "[secure][token]") {
    REQUIRE(initCrypto());
    test::SeededRandom rnd(1);
    const Key secret = keyFrom(100);
    auto tok = mintToken(desc(), secret, rnd);
    REQUIRE(tok.ok());
    const TokenCheck c = openToken(tok->wire, secret, kNow + 10);
    REQUIRE(c.ok);
    CHECK(c.grant.userId == 42);
    CHECK(c.grant.displayName == "Dr. Ada Okafor");
    CHECK(c.grant.roomCode == "hepc-0412");
    CHECK(c.grant.role == core::Role::Specialist);
    CHECK(c.grant.expiresUnix == kNow + 3600);
    CHECK(c.grant.tokenId == tok->grant.tokenId);
    CHECK(c.grant.clientToServer == tok->grant.clientToServer);
    CHECK(c.grant.serverToClient == tok->grant.serverToClient);
    CHECK(c.grant.clientToServer != c.grant.serverToClient);
}

TEST_CASE("token: forged tokens are refused as forged", "[secure][token]") {
    REQUIRE(initCrypto());
    test::SeededRandom rnd(2);
    const Key secret = keyFrom(100);
    auto tok = mintToken(desc(), secret, rnd);
    REQUIRE(tok.ok());

    SECTION("sealed with another deployment's key: unknown key, not forged") {
        auto other = mintToken(desc(), keyFrom(101), rnd);
        REQUIRE(other.ok());
        const auto c = openToken(other->wire, secret, kNow);
        CHECK(!c.ok);
        CHECK(c.refusal == Refusal::UnknownKey);
    }
    SECTION("sealed with another key but relabelled with this key's id") {
        auto other = mintToken(desc(), keyFrom(101), rnd);
        REQUIRE(other.ok());
        TokenWire w = other->wire;
        w.keyId = keyIdOf(secret);
        CHECK(openToken(w, secret, kNow).refusal == Refusal::Forged);
    }
    SECTION("any flipped bit in the sealed part") {
        for (std::size_t i = 0; i < kTokenSealedBytes; i += 7) {
            TokenWire w = tok->wire;
            w.sealed[i] ^= 0x10;
            const auto c = openToken(w, secret, kNow);
            CHECK(c.refusal == Refusal::Forged);
            CHECK(!c.ok);
        }
    }
    SECTION("a flipped nonce") {
        TokenWire w = tok->wire;
        w.nonce[3] ^= 1;
        CHECK(openToken(w, secret, kNow).refusal == Refusal::Forged);
    }
    SECTION("an extended public expiry") {
        TokenWire w = tok->wire;
        w.expiresUnix += 86400;
        CHECK(openToken(w, secret, kNow).refusal == Refusal::Forged);
    }
    SECTION("a changed public key id that names no key") {
        TokenWire w = tok->wire;
        w.keyId ^= 1;
        CHECK(openToken(w, secret, kNow).refusal == Refusal::UnknownKey);
    }
}

TEST_CASE("token: expired and wrong-version tokens are refused with their codes", "[secure][token]") {
    REQUIRE(initCrypto());
    test::SeededRandom rnd(3);
    const Key secret = keyFrom(100);
    auto tok = mintToken(desc(), secret, rnd);
    REQUIRE(tok.ok());
    CHECK(openToken(tok->wire, secret, kNow + 3599).ok);
    CHECK(openToken(tok->wire, secret, kNow + 3600).refusal == Refusal::Expired);
    CHECK(openToken(tok->wire, secret, kNow + 999999).refusal == Refusal::Expired);

    TokenWire w = tok->wire;
    w.protocolVersion = net::kProtocolVersion + 1;
    CHECK(openToken(w, secret, kNow).refusal == Refusal::Version);
    w = tok->wire;
    w.format = kTokenFormat + 1;
    CHECK(openToken(w, secret, kNow).refusal == Refusal::Version);
}

TEST_CASE("token: an authentic but malformed private part is refused as malformed", "[secure][token]") {
    REQUIRE(initCrypto());
    const Key secret = keyFrom(100);
    // Seal hand-made private parts with the real key (documented layout).
    const auto seal = [&](std::uint8_t role, std::uint8_t roomLen, std::uint8_t padByte) {
        TokenWire w;
        w.protocolVersion = net::kProtocolVersion;
        w.expiresUnix = kNow + 100;
        w.nonce.fill(7);
        std::array<std::uint8_t, kTokenPrivateBytes> plain{};
        ByteWriter pw(plain);
        REQUIRE((pw.u64(1) && pw.u64(2) && pw.u64(kNow) && pw.u8(role) && pw.u8(roomLen)));
        REQUIRE(pw.bytes(std::array<std::uint8_t, 4>{'r', 'o', 'o', 'm'}));
        REQUIRE(pw.zeros(kTokenRoomMax - 4));
        REQUIRE(pw.u8(3));
        REQUIRE(pw.bytes(std::array<std::uint8_t, 3>{'b', 'o', 'b'}));
        REQUIRE(pw.zeros(kTokenNameMax - 3 + 2 * kKeyBytes));
        plain[kTokenPrivateBytes - 1] = padByte;
        w.keyId = keyIdOf(secret);
        REQUIRE(xaeadSeal(w.sealed, plain, tokenAdditionalData(w), w.nonce, secret));
        return openToken(w, secret, kNow);
    };
    CHECK(seal(1, 4, 0).ok);
    CHECK(seal(9, 4, 0).refusal == Refusal::Malformed);  // role out of range
    CHECK(seal(1, 40, 0).refusal == Refusal::Malformed); // room length over its field
    CHECK(seal(1, 0, 0).refusal == Refusal::Malformed);  // empty room code
    CHECK(seal(1, 4, 1).refusal == Refusal::Malformed);  // non-zero padding
}

TEST_CASE("token: minting refuses bad fields", "[secure][token]") {
    REQUIRE(initCrypto());
    test::SeededRandom rnd(4);
    const Key secret = keyFrom(100);
    MintDesc d = desc();
    d.displayName = "";
    CHECK(!mintToken(d, secret, rnd).ok());
    d = desc();
    d.displayName = std::string(49, 'x');
    CHECK(!mintToken(d, secret, rnd).ok());
    d = desc();
    d.roomCode = "bad\ncode";
    CHECK(!mintToken(d, secret, rnd).ok());
    d = desc();
    d.lifetimeSeconds = 0;
    CHECK(!mintToken(d, secret, rnd).ok());
}

TEST_CASE("token: every refusal has a code and plain words", "[secure][token]") {
    for (std::uint8_t i = 0; i < static_cast<std::uint8_t>(Refusal::Count); ++i) {
        const auto r = static_cast<Refusal>(i);
        CHECK(std::string(toString(r)) != "?");
        CHECK(std::string(describe(r)).size() > 10);
    }
}

TEST_CASE("token: token files round-trip and bad files are refused with the file named", "[secure][token]") {
    REQUIRE(initCrypto());
    test::SeededRandom rnd(5);
    const Key secret = keyFrom(100);
    auto tok = mintToken(desc(), secret, rnd);
    REQUIRE(tok.ok());
    const auto bytes = encodeTokenFile(*tok);
    auto back = decodeTokenFile(bytes, "t.token");
    REQUIRE(back.ok());
    CHECK(back->grant.displayName == tok->grant.displayName);
    CHECK(back->grant.tokenId == tok->grant.tokenId);
    CHECK(back->grant.clientToServer == tok->grant.clientToServer);
    CHECK(back->wire.sealed == tok->wire.sealed);
    CHECK(openToken(back->wire, secret, kNow).ok);

    for (std::size_t n = 0; n < bytes.size(); ++n) {
        auto cut = decodeTokenFile(std::span(bytes).first(n), "t.token");
        REQUIRE(!cut.ok());
        CHECK(cut.error().message.find("t.token") != std::string::npos);
    }
    auto longer = bytes;
    longer.push_back(0);
    CHECK(!decodeTokenFile(longer, "t.token").ok());
    auto badMagic = bytes;
    badMagic[0] = 'X';
    CHECK(!decodeTokenFile(badMagic, "t.token").ok());

    const std::string path = tempPath("tok");
    REQUIRE(writeTokenFile(path, *tok).ok());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto loaded = readTokenFile(path);
    REQUIRE(loaded.ok());
    CHECK(loaded->grant.userId == 42);
    std::remove(path.c_str());
    CHECK(!readTokenFile(path).ok());
}

TEST_CASE("key file: created 0600 when missing, refused when too open or the wrong size", "[secure][keyfile]") {
    REQUIRE(initCrypto());
    SystemRandom rnd;
    const std::string path = tempPath("key");
    std::remove(path.c_str());
    auto made = loadOrCreateKeyFile(path, rnd);
    REQUIRE(made.ok());
    CHECK(made->created);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(st.st_size == 32);

    auto again = loadOrCreateKeyFile(path, rnd);
    REQUIRE(again.ok());
    CHECK(!again->created);
    CHECK(again->bytes == made->bytes);

    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    auto open = loadOrCreateKeyFile(path, rnd);
    REQUIRE(!open.ok());
    CHECK(open.error().message.find(path) != std::string::npos);
    CHECK(open.error().message.find("chmod 600") != std::string::npos);

    REQUIRE(::chmod(path.c_str(), 0600) == 0);
    {
        std::ofstream f(path, std::ios::binary | std::ios::app);
        f << "x";
    }
    auto big = loadKeyFile(path);
    REQUIRE(!big.ok());
    CHECK(big.error().message.find("33 bytes") != std::string::npos);
    std::remove(path.c_str());
    CHECK(!loadKeyFile(path).ok());
}
