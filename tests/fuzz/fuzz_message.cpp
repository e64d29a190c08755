// net::decodeMessage on any bytes and any channel. Input: [channel byte][packet].
// Properties: decoding never crashes; whatever decodes re-encodes to exactly
// the bytes it came from (one encoding per message: no padding bits, trailing
// bytes or out-of-range values slip through) and decodes again to an equal
// message.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "net/messages.h"

using namespace caseroom::net;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto channel = static_cast<Channel>(data[0] % static_cast<std::uint8_t>(Channel::Count));
    const std::span<const std::uint8_t> packet(data + 1, size - 1);
    const DecodeResult r = decodeMessage(packet, channel);
    if (!r.ok) return 0;
    (void)toString(typeOf(r.message));
    const auto again = encodeMessage(r.message);
    if (again.empty()) std::abort(); // a decoded message must be encodable
    if (again.size() != packet.size() || !std::equal(again.begin(), again.end(), packet.begin())) std::abort();
    const DecodeResult r2 = decodeMessage(again, channel);
    if (!r2.ok || !(r2.message == r.message)) std::abort();
    return 0;
}
