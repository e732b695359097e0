// Interconnect model tests: routing by the DT address map, hop latency, decode misses
// answered with TLM_ADDRESS_ERROR_RESPONSE and counted (never a crash).
#include "interconnect/interconnect.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <vector>

using namespace mtesim;
using sc_core::sc_time;
using sc_core::SC_NS;

namespace {

struct RecordingTarget : sc_core::sc_module {
    tlm_utils::simple_target_socket<RecordingTarget> socket;
    std::vector<std::uint64_t> seen;
    explicit RecordingTarget(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
        socket.register_b_transport(this, &RecordingTarget::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload &t, sc_time &delay) {
        seen.push_back(t.get_address());
        delay += sc_time(10, SC_NS);
        t.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

struct Bench : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Bench> socket{"initiator"};
    Interconnect bus{"bus", InterconnectConfig{sc_time(2, SC_NS)}};
    RecordingTarget low{"low"}, high{"high"};
    explicit Bench(sc_core::sc_module_name n = "bench") : sc_core::sc_module(n) {
        socket.bind(bus.target_socket);
        bus.initiator_socket.bind(low.socket);
        bus.initiator_socket.bind(high.socket);
        bus.add_route(AddrRange(PhysAddr(0x80000000), 0x80000000), 0);
        bus.add_route(AddrRange(PhysAddr(0x880000000), 0x80000000), 1);
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
    }
    tlm::tlm_response_status access(std::uint64_t addr, unsigned len, sc_time &delay) {
        unsigned char data[64] = {};
        tlm::tlm_generic_payload t;
        t.set_command(tlm::TLM_READ_COMMAND);
        t.set_address(addr);
        t.set_data_ptr(data);
        t.set_data_length(len);
        t.set_streaming_width(len);
        t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        socket->b_transport(t, delay);
        return t.get_response_status();
    }
};

}  // namespace

TEST(Interconnect, RoutesByAddressMapAndAddsHopLatency) {
    Bench b;
    sc_time d = sc_core::SC_ZERO_TIME;
    EXPECT_EQ(b.access(0x80000000, 8, d), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(d, sc_time(12, SC_NS)); /* 2 ns hop + 10 ns target */
    d = sc_core::SC_ZERO_TIME;
    EXPECT_EQ(b.access(0x8fffffff8, 8, d), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(b.access(0xfffffff8, 8, d), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(b.low.seen.size(), 2u);
    ASSERT_EQ(b.high.seen.size(), 1u);
    EXPECT_EQ(b.high.seen[0], 0x8fffffff8u); /* addresses are forwarded unchanged */
    EXPECT_EQ(b.bus.stats().transactions, 3u);
}

TEST(Interconnect, DecodeMissIsAnAddressErrorAndCounted) {
    Bench b;
    sc_time d = sc_core::SC_ZERO_TIME;
    EXPECT_EQ(b.access(0x1000, 8, d), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(b.access(0x100000000, 8, d), tlm::TLM_ADDRESS_ERROR_RESPONSE); /* gap between ranges */
    EXPECT_EQ(b.access(0xfffffffc, 8, d), tlm::TLM_ADDRESS_ERROR_RESPONSE);  /* straddles the end */
    EXPECT_EQ(b.bus.stats().decode_errors, 3u);
    EXPECT_TRUE(b.low.seen.empty());
    EXPECT_TRUE(b.high.seen.empty());
}
