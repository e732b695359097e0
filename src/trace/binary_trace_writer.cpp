// BinaryTraceWriter: records gathered in a 1 MiB buffer, written raw or pushed through a zstd
// compression stream.
#include "mtesim/trace/binary_trace_writer.h"

#include "mtesim/common/config_error.h"

#include <zstd.h>

#include <cstring>

namespace mtesim {

using namespace bintrace;

namespace {
constexpr std::size_t kBuffer = 1 << 20;
}

BinaryTraceWriter::BinaryTraceWriter(const std::string &path, bool compress) : m_path(path), m_compress(compress) {
    m_file = std::fopen(path.c_str(), "wb");
    if (!m_file) throw ConfigError(path + ": cannot open for writing");
    Header h{};
    std::memcpy(h.magic, kMagic, sizeof kMagic);
    h.version = kVersion;
    h.flags = compress ? kFlagZstd : 0;
    if (std::fwrite(&h, sizeof h, 1, m_file) != 1) throw ConfigError(path + ": write error");
    m_buf.reserve(kBuffer + 8192);
    if (compress) {
        m_zstd = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx *>(m_zstd), ZSTD_c_compressionLevel, 3);
        m_zbuf.resize(ZSTD_CStreamOutSize());
    }
}

BinaryTraceWriter::~BinaryTraceWriter() {
    if (m_zstd) ZSTD_freeCCtx(static_cast<ZSTD_CCtx *>(m_zstd));
    if (m_file) std::fclose(m_file);
}

void BinaryTraceWriter::put(const void *data, std::size_t n) {
    const char *p = static_cast<const char *>(data);
    m_buf.insert(m_buf.end(), p, p + n);
    if (m_buf.size() >= kBuffer) flush_buffer(false);
}

void BinaryTraceWriter::flush_buffer(bool end) {
    if (!m_compress) {
        if (!m_buf.empty() && std::fwrite(m_buf.data(), 1, m_buf.size(), m_file) != m_buf.size())
            throw ConfigError(m_path + ": write error");
        m_buf.clear();
        return;
    }
    ZSTD_inBuffer in{m_buf.data(), m_buf.size(), 0};
    const ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
    for (;;) {
        ZSTD_outBuffer out{m_zbuf.data(), m_zbuf.size(), 0};
        const std::size_t left = ZSTD_compressStream2(static_cast<ZSTD_CCtx *>(m_zstd), &out, &in, mode);
        if (ZSTD_isError(left)) throw ConfigError(m_path + ": zstd: " + ZSTD_getErrorName(left));
        if (out.pos && std::fwrite(m_zbuf.data(), 1, out.pos, m_file) != out.pos) throw ConfigError(m_path + ": write error");
        if (end ? left == 0 : in.pos == in.size) break;
    }
    m_buf.clear();
}

std::uint32_t BinaryTraceWriter::define(std::uint32_t id, const std::string &name) {
    auto it = m_ids.find(id);
    if (it != m_ids.end()) return it->second;
    const auto file_id = static_cast<std::uint32_t>(m_ids.size());
    m_ids.emplace(id, file_id);
    Record r{};
    r.op = kOpDefineName;
    r.name = file_id;
    r.arg = name.size();
    put(&r, sizeof r);
    std::string padded = name;
    padded.resize((name.size() + 7) & ~std::size_t(7), '\0');
    put(padded.data(), padded.size());
    return file_id;
}

void BinaryTraceWriter::put_event(const TraceEvent &ev) {
    if (ev.has_value) { /* a value record carries the event's 64-bit data operand */
        Record v{};
        v.op = kOpValue;
        v.thread = ev.thread;
        v.arg = ev.value;
        put(&v, sizeof v);
    }
    Record r{};
    r.op = static_cast<std::uint8_t>(ev.op);
    r.has_name = ev.src.name != Operand::kRaw;
    r.thread = ev.thread;
    r.dest = ev.dest;
    r.name = ev.src.name;
    r.aux = ev.aux;
    r.reserved2 = ev.dep;
    r.mispredicts = ev.mispredicts;
    r.raw_or_offset = r.has_name ? static_cast<std::uint64_t>(ev.src.offset) : ev.src.raw;
    r.arg = ev.arg;
    put(&r, sizeof r);
}

void BinaryTraceWriter::close() {
    if (!m_file) return;
    flush_buffer(true);
    if (std::fclose(m_file) != 0) {
        m_file = nullptr;
        throw ConfigError(m_path + ": write error");
    }
    m_file = nullptr;
}

}  // namespace mtesim
