// The real transport: ENet over UDP. One ENetHost per EnetTransport; peers are
// named by PeerId handles that are never reused within a process.
// ENet's types stay inside enet_transport.cpp.
#pragma once
#include <cstdint>
#include <memory>

#include "core/log.h"
#include "core/result.h"
#include "net/transport.h"

namespace caseroom::net {

struct EnetDesc {
    Address bind{"127.0.0.1", 0};  // port 0: ephemeral (clients, tests)
    bool listen = false;           // false: client host with no bound address
    std::uint32_t maxPeers = 64;   // sized to what the rooms need, not ENet's default
    std::uint32_t incomingBandwidth = 0; // bytes/s, 0 = unlimited
    std::uint32_t outgoingBandwidth = 0;
};

class EnetTransport final : public Transport {
public:
    static core::Result<std::unique_ptr<EnetTransport>> create(const EnetDesc& desc);
    ~EnetTransport() override;
    EnetTransport(const EnetTransport&) = delete;
    EnetTransport& operator=(const EnetTransport&) = delete;

    [[nodiscard]] std::uint16_t boundPort() const;

    core::PeerId connect(const Address& to) override;
    bool send(core::PeerId peer, Channel channel, std::span<const std::uint8_t> data, bool reliable) override;
    bool poll(double now, TransportEvent& event) override;
    void flush() override;
    void disconnect(core::PeerId peer, std::uint32_t reason) override;
    [[nodiscard]] PeerStats stats(core::PeerId peer) const override;
    void wait(double seconds) override;
    [[nodiscard]] std::uint64_t serviceErrors() const override { return serviceErrors_; }

private:
    struct Impl;
    explicit EnetTransport(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    std::uint64_t serviceErrors_ = 0;
    core::LogLimiter errorLog_{0.2, 3};
};

} // namespace caseroom::net
