// The credential lifecycle of connect tokens: key ids and keyrings (rotation
// with an overlap, retirement), the server's time policy (not-before, bounded
// lifetime), and token-file hygiene (atomic 0600 writes, no links followed,
// mode checked on read, the old format named).
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

#include "net/messages.h"
#include "temp_dir.h"
#include "net/secure/key_file.h"
#include "net/secure/token.h"
#include "unit/secure/seeded_random.h"

using namespace caseroom;
using namespace caseroom::net::secure;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kNow = 1'800'000'000;
constexpr std::uint64_t kDay = 86400;

Key keyFrom(std::uint64_t seed) {
    test::SeededRandom r(seed);
    Key k{};
    r.fill(k);
    return k;
}

MintDesc desc(std::uint64_t now = kNow, std::uint64_t life = 3600) {
    MintDesc d;
    d.userId = 7;
    d.displayName = "Spoke Clinician";
    d.roomCode = "demo";
    d.role = core::Role::Spoke;
    d.nowUnix = now;
    d.lifetimeSeconds = life;
    return d;
}

// A private part sealed by hand with `secret` (documented layout), so times
// that mintToken would never produce can be tested.
TokenWire handSealed(const Key& secret, std::uint64_t created, std::uint64_t expires) {
    TokenWire w;
    w.protocolVersion = net::kProtocolVersion;
    w.keyId = keyIdOf(secret);
    w.expiresUnix = expires;
    w.nonce.fill(9);
    std::array<std::uint8_t, kTokenPrivateBytes> plain{};
    ByteWriter pw(plain);
    const bool ok = pw.u64(11) && pw.u64(7) && pw.u64(created) && pw.u8(3) && pw.u8(4) &&
                    pw.bytes(std::array<std::uint8_t, 4>{'d', 'e', 'm', 'o'}) && pw.zeros(kTokenRoomMax - 4) && pw.u8(3) &&
                    pw.bytes(std::array<std::uint8_t, 3>{'b', 'o', 'b'});
    REQUIRE(ok);
    REQUIRE(xaeadSeal(w.sealed, plain, tokenAdditionalData(w), w.nonce, secret));
    return w;
}

using caseroom::testing::TempDir;

struct Umask {
    mode_t old;
    explicit Umask(mode_t m) : old(::umask(m)) {}
    ~Umask() { ::umask(old); }
};

mode_t modeOf(const std::string& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

} // namespace

TEST_CASE("token lifecycle: refusal codes keep their wire values", "[secure][token]") {
    // They travel in the Denied datagram: old clients must read old codes the same.
    STATIC_REQUIRE(static_cast<int>(Refusal::Forged) == 0);
    STATIC_REQUIRE(static_cast<int>(Refusal::ServerFull) == 6);
    STATIC_REQUIRE(static_cast<int>(Refusal::UnknownKey) == 7);
    STATIC_REQUIRE(static_cast<int>(Refusal::NotYetValid) == 8);
    STATIC_REQUIRE(static_cast<int>(Refusal::BadLifetime) == 9);
    STATIC_REQUIRE(static_cast<int>(Refusal::Revoked) == 10);
    CHECK(std::string(toString(Refusal::UnknownKey)) == "unknown-key");
    CHECK(std::string(describe(Refusal::UnknownKey)).find("another server or an old key") != std::string::npos);
    CHECK(std::string(describe(Refusal::Revoked)) == "this invitation was withdrawn by the coordinator");
    for (std::uint8_t i = 0; i < static_cast<std::uint8_t>(Refusal::Count); ++i)
        for (std::uint8_t j = 0; j < i; ++j)
            CHECK(std::string(toString(static_cast<Refusal>(i))) != toString(static_cast<Refusal>(j)));
}

TEST_CASE("token lifecycle: key ids are stable, distinct, never 0, and travel in the wire part", "[secure][token]") {
    REQUIRE(initCrypto());
    const Key a = keyFrom(1), b = keyFrom(2);
    CHECK(keyIdOf(a) == keyIdOf(a));
    CHECK(keyIdOf(a) != keyIdOf(b));
    for (std::uint64_t s = 0; s < 200; ++s) CHECK(keyIdOf(keyFrom(s)) != 0);
    test::SeededRandom rnd(1);
    auto tok = mintToken(desc(), a, rnd);
    REQUIRE(tok.ok());
    CHECK(tok->wire.keyId == keyIdOf(a));
    CHECK(tok->grant.keyId == keyIdOf(a));
    std::array<std::uint8_t, kTokenWireBytes> bytes{};
    ByteWriter w(bytes);
    REQUIRE(writeTokenWire(tok->wire, w));
    CHECK(w.size() == kTokenWireBytes);
    // Documented layout: format, protocol, key id (LE), expires, nonce.
    CHECK(bytes[0] == kTokenFormat);
    const std::uint32_t id = keyIdOf(a);
    for (int i = 0; i < 4; ++i) CHECK(bytes[5 + static_cast<std::size_t>(i)] == static_cast<std::uint8_t>(id >> (8 * i)));
    CHECK(std::equal(tok->wire.nonce.begin(), tok->wire.nonce.end(), bytes.begin() + kTokenWireNonceOffset));
}

TEST_CASE("token lifecycle: keyring finds, refuses duplicates, retires and wipes on clear", "[secure][token]") {
    REQUIRE(initCrypto());
    const Key a = keyFrom(1), b = keyFrom(2), c = keyFrom(3);
    Keyring ring;
    CHECK(ring.empty());
    CHECK(ring.current() == nullptr);
    CHECK(ring.add(b));
    CHECK(ring.add(a));
    CHECK(!ring.add(b)); // same id: not added twice
    CHECK(ring.add(c));
    CHECK(ring.size() == 3);
    CHECK(ring.currentId() == keyIdOf(b));
    REQUIRE(ring.find(keyIdOf(a)) != nullptr);
    CHECK(*ring.find(keyIdOf(a)) == a);
    CHECK(ring.find(keyIdOf(keyFrom(9))) == nullptr);
    CHECK(ring.retire(keyIdOf(a)));
    CHECK(!ring.retire(keyIdOf(a)));
    CHECK(ring.find(keyIdOf(a)) == nullptr);
    REQUIRE(ring.find(keyIdOf(c)) != nullptr);
    CHECK(*ring.find(keyIdOf(c)) == c);
    Keyring copy = ring;
    Keyring moved = std::move(copy);
    CHECK(moved.size() == 2);
    CHECK(copy.empty()); // NOLINT(bugprone-use-after-move): the documented moved-from state
    moved.clear();
    CHECK(moved.empty());
    CHECK(ring.size() == 2);
}

TEST_CASE("token lifecycle: rotation with an overlap, then retirement", "[secure][token]") {
    REQUIRE(initCrypto());
    test::SeededRandom rnd(2);
    const Key oldKey = keyFrom(10), newKey = keyFrom(11);
    auto oldTok = mintToken(desc(), oldKey, rnd);
    REQUIRE(oldTok.ok());

    Keyring onlyNew(newKey);
    CHECK(openToken(oldTok->wire, onlyNew, kNow).refusal == Refusal::UnknownKey);

    Keyring overlap(newKey);
    REQUIRE(overlap.add(oldKey)); // previous key, kept while its tokens live
    const TokenCheck c = openToken(oldTok->wire, overlap, kNow);
    REQUIRE(c.ok);
    CHECK(c.grant.keyId == keyIdOf(oldKey));
    CHECK(c.grant.userId == 7);

    auto newTok = mintToken(desc(), overlap, rnd); // mints with the current (new) key
    REQUIRE(newTok.ok());
    CHECK(newTok->wire.keyId == keyIdOf(newKey));
    CHECK(openToken(newTok->wire, overlap, kNow).ok);
    CHECK(openToken(newTok->wire, onlyNew, kNow).ok);

    REQUIRE(overlap.retire(keyIdOf(oldKey)));
    CHECK(openToken(oldTok->wire, overlap, kNow).refusal == Refusal::UnknownKey);
    CHECK(openToken(newTok->wire, overlap, kNow).ok);
    CHECK(!mintToken(desc(), Keyring{}, rnd).ok());
}

TEST_CASE("token lifecycle: a token created in the future is not valid yet", "[secure][token]") {
    REQUIRE(initCrypto());
    test::SeededRandom rnd(3);
    const Key secret = keyFrom(20);
    // What `caseroom-token --now 4102444800 --expires 31622400` used to get away with.
    auto future = mintToken(desc(4'102'444'800, kMaxTokenLifetime), secret, rnd);
    REQUIRE(future.ok());
    const TokenCheck c = openToken(future->wire, secret, kNow);
    CHECK(!c.ok);
    CHECK(c.refusal == Refusal::NotYetValid);
    CHECK(c.grant.tokenId == 0); // nothing of a refused token is handed out

    // The clock-skew allowance: 300 s ahead accepted, 301 s refused.
    auto skewed = mintToken(desc(kNow + 300), secret, rnd);
    REQUIRE(skewed.ok());
    CHECK(openToken(skewed->wire, secret, kNow).ok);
    auto tooFar = mintToken(desc(kNow + 301), secret, rnd);
    REQUIRE(tooFar.ok());
    CHECK(openToken(tooFar->wire, secret, kNow).refusal == Refusal::NotYetValid);
    TokenPolicy strict;
    strict.clockSkewSeconds = 0;
    CHECK(openToken(skewed->wire, secret, kNow, strict).refusal == Refusal::NotYetValid);
    CHECK(openToken(skewed->wire, secret, kNow + 300, strict).ok);
}

TEST_CASE("token lifecycle: a lifetime over the server's maximum is refused", "[secure][token]") {
    REQUIRE(initCrypto());
    const Key secret = keyFrom(21);
    // A private part sealed by hand (a leaked key, or an old minting tool)
    // with a 400-day life that has already started.
    const TokenWire longLife = handSealed(secret, kNow - 200 * kDay, kNow + 200 * kDay);
    CHECK(openToken(longLife, secret, kNow).refusal == Refusal::BadLifetime);
    // Exactly the maximum is fine.
    CHECK(openToken(handSealed(secret, kNow - 10, kNow - 10 + kMaxTokenLifetime), secret, kNow).ok);
    CHECK(openToken(handSealed(secret, kNow - 10, kNow - 9 + kMaxTokenLifetime), secret, kNow).refusal ==
          Refusal::BadLifetime);
    // Created at or after its own expiry.
    CHECK(openToken(handSealed(secret, kNow + 100, kNow + 100), secret, kNow).refusal == Refusal::BadLifetime);
    CHECK(openToken(handSealed(secret, kNow + 200, kNow + 100), secret, kNow).refusal == Refusal::BadLifetime);
    // The server's own, shorter policy.
    test::SeededRandom rnd(4);
    auto day = mintToken(desc(kNow, kDay), secret, rnd);
    REQUIRE(day.ok());
    TokenPolicy twelveHours;
    twelveHours.maxLifetimeSeconds = kDay / 2;
    CHECK(openToken(day->wire, secret, kNow).ok);
    CHECK(openToken(day->wire, secret, kNow, twelveHours).refusal == Refusal::BadLifetime);
}

TEST_CASE("token lifecycle: token files are written 0600 atomically and never through a link", "[secure][token][file]") {
    REQUIRE(initCrypto());
    test::SeededRandom rnd(5);
    auto tok = mintToken(desc(), keyFrom(30), rnd);
    REQUIRE(tok.ok());
    TempDir dir;
    const Umask loose(022);

    const std::string path = dir.file("spoke.token");
    REQUIRE(writeTokenFile(path, *tok).ok());
    CHECK(modeOf(path) == 0600);
    // Replacing an existing file (even a 0644 one) leaves a 0600 file.
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    REQUIRE(writeTokenFile(path, *tok).ok());
    CHECK(modeOf(path) == 0600);
    auto back = readTokenFile(path);
    REQUIRE(back.ok());
    CHECK(back->grant.tokenId == tok->grant.tokenId);
    CHECK(back->wire.keyId == tok->wire.keyId);
    std::size_t entries = 0;
    for (const auto& e : fs::directory_iterator(dir.path)) {
        (void)e;
        ++entries;
    }
    CHECK(entries == 1); // no temporary left behind

    const std::string victim = dir.file("victim");
    { std::ofstream(victim) << "precious"; }
    const std::string link = dir.file("planted.token");
    REQUIRE(::symlink(victim.c_str(), link.c_str()) == 0);
    auto st = writeTokenFile(link, *tok);
    REQUIRE(!st.ok());
    CHECK(st.error().message.find(link) != std::string::npos);
    CHECK(st.error().message.find("symbolic link") != std::string::npos);
    std::ifstream in(victim);
    std::string content;
    in >> content;
    CHECK(content == "precious");

    const auto missingDir = writeTokenFile(dir.file("no/such/dir.token"), *tok);
    REQUIRE(!missingDir.ok());
    CHECK(missingDir.error().message.find("no/such/dir.token") != std::string::npos);
}

TEST_CASE("token lifecycle: reading refuses an open mode and names the old format", "[secure][token][file]") {
    REQUIRE(initCrypto());
    test::SeededRandom rnd(6);
    auto tok = mintToken(desc(), keyFrom(31), rnd);
    REQUIRE(tok.ok());
    TempDir dir;
    const std::string path = dir.file("t.token");
    REQUIRE(writeTokenFile(path, *tok).ok());
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    auto open = readTokenFile(path);
    REQUIRE(!open.ok());
    CHECK(open.error().message.find(path) != std::string::npos);
    CHECK(open.error().message.find("0644") != std::string::npos);
    CHECK(open.error().message.find("chmod 600 " + path) != std::string::npos);
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
    CHECK(readTokenFile(path).ok());

    auto old = encodeTokenFile(*tok);
    old[7] = '1'; // "CRTOKEN1": a format-1 file
    auto r = decodeTokenFile(old, "alice.token");
    REQUIRE(!r.ok());
    CHECK(r.error().message == "token file alice.token is format 1; ask the coordinator for a new invitation");
    auto other = encodeTokenFile(*tok);
    other[7] = '9';
    auto r9 = decodeTokenFile(other, "bob.token");
    REQUIRE(!r9.ok());
    CHECK(r9.error().message.find("bob.token") != std::string::npos);
    auto zeroId = encodeTokenFile(*tok);
    for (int i = 0; i < 4; ++i) zeroId[8 + 5 + static_cast<std::size_t>(i)] = 0; // magic, format, protocol, key id
    CHECK(!decodeTokenFile(zeroId, "z.token").ok());
}

TEST_CASE("key file: a missing key is an error for loadKeyFile; created keys survive protectSecret", "[secure][keyfile]") {
    REQUIRE(initCrypto());
    TempDir dir;
    const std::string path = dir.file("deploy.key");
    auto missing = loadKeyFile(path);
    REQUIRE(!missing.ok());
    CHECK(missing.error().message.find(path) != std::string::npos);
    CHECK(!fs::exists(path));
    SystemRandom rnd;
    auto made = loadOrCreateKeyFile(path, rnd);
    REQUIRE(made.ok());
    Key copy = made->bytes;
    protectSecret(copy);
    CHECK(copy == made->bytes);
    protectSecret(std::span<std::uint8_t>{}); // empty: a no-op
    auto again = loadKeyFile(path);
    REQUIRE(again.ok());
    CHECK(again->bytes == made->bytes);
    CHECK(keyIdOf(again->bytes) == keyIdOf(made->bytes));
}

TEST_CASE("key file: a keyring from key files, current first, duplicates refused", "[secure][keyfile]") {
    REQUIRE(initCrypto());
    TempDir dir;
    SystemRandom rnd;
    const std::string current = dir.file("new.key"), previous = dir.file("old.key");
    auto a = loadOrCreateKeyFile(current, rnd);
    auto b = loadOrCreateKeyFile(previous, rnd);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    auto ring = loadKeyring({current, previous});
    REQUIRE(ring.ok());
    CHECK(ring->size() == 2);
    CHECK(ring->currentId() == keyIdOf(a->bytes));
    REQUIRE(ring->find(keyIdOf(b->bytes)) != nullptr);
    CHECK(*ring->find(keyIdOf(b->bytes)) == b->bytes);

    const std::string copy = dir.file("copy.key");
    fs::copy_file(current, copy);
    auto dup = loadKeyring({current, copy});
    REQUIRE(!dup.ok());
    CHECK(dup.error().message.find(copy) != std::string::npos);
    CHECK(dup.error().message.find(current) != std::string::npos);
    auto missing = loadKeyring({current, dir.file("typo.key")});
    REQUIRE(!missing.ok());
    CHECK(missing.error().message.find("typo.key") != std::string::npos);
    CHECK(!fs::exists(dir.file("typo.key")));
    CHECK(!loadKeyring({}).ok());
}
