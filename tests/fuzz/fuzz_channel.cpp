// The sealed datagram channel and its replay window, differentially: the
// input is a script of (op, value) byte pairs that seal datagrams with chosen
// counters and deliver them (or forgeries) in any order; a reference built on
// a std::set says what must open. Properties: a datagram opens iff its counter
// is fresh and within the window and its bytes are untouched; the plaintext
// comes back exactly; forgeries never move the window.
//   op 0: seal datagram k = value at counter jump `value`; op 1: deliver datagram k again (replay);
//   op 2: deliver a copy of the last datagram with byte `value` flipped.
#include <cstdint>
#include <set>
#include <span>
#include <vector>

#include "net/secure/channel.h"

using namespace caseroom::net::secure;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool ready = initCrypto();
    if (!ready) return 0;
    SessionKeys a, b;
    for (std::size_t i = 0; i < kKeyBytes; ++i) {
        a.send[i] = static_cast<std::uint8_t>(i);
        a.receive[i] = static_cast<std::uint8_t>(0x80 + i);
    }
    b.send = a.receive;
    b.receive = a.send;
    SecureChannel tx(a), rx(b);
    std::vector<std::vector<std::uint8_t>> sent;   // wire datagrams by index
    std::vector<std::uint64_t> counterOf;
    std::set<std::uint64_t> seen;                  // reference: counters accepted
    std::uint64_t newest = 0;
    bool any = false;
    std::vector<std::uint8_t> out;
    const auto expectOpen = [&](std::uint64_t c) {
        if (seen.contains(c)) return false;
        if (any && c + kReplayWindow <= newest) return false;
        return true;
    };
    for (std::size_t i = 0; i + 1 < size && sent.size() < 4096; i += 2) {
        const std::uint8_t op = data[i] % 3, v = data[i + 1];
        if (op == 0) {
            tx.advanceSendCounterForTest(tx.nextSendCounter() + (v > 200 ? 5000 : v % 8));
            const std::uint64_t c = tx.nextSendCounter();
            const std::uint8_t plain[3] = {v, static_cast<std::uint8_t>(c), 7};
            std::vector<std::uint8_t> wire;
            if (!tx.seal(plain, wire)) __builtin_trap();
            sent.push_back(wire);
            counterOf.push_back(c);
            const bool want = expectOpen(c);
            const OpenResult r = rx.open(wire, out);
            if ((r == OpenResult::Ok) != want) __builtin_trap();
            if (r == OpenResult::Ok) {
                if (out.size() != 3 || out[0] != v) __builtin_trap();
                seen.insert(c);
                if (!any || c > newest) newest = c;
                any = true;
            }
        } else if (!sent.empty()) {
            const std::size_t k = op == 1 ? v % sent.size() : sent.size() - 1;
            std::vector<std::uint8_t> wire = sent[k];
            const bool forged = op == 2;
            if (forged) wire[v % wire.size()] ^= static_cast<std::uint8_t>(1u << (v % 8));
            const OpenResult r = rx.open(wire, out);
            if (forged && r == OpenResult::Ok) __builtin_trap();
            if (!forged) {
                const bool want = expectOpen(counterOf[k]);
                if ((r == OpenResult::Ok) != want) __builtin_trap();
                if (r == OpenResult::Ok) {
                    seen.insert(counterOf[k]);
                    if (counterOf[k] > newest) newest = counterOf[k];
                }
            }
        }
    }
    return 0;
}
