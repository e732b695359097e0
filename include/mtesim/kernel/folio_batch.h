// The folio batch size of the kernel model: PAGEVEC_SIZE of v6.6 (include/linux/pagevec.h), the
// folios a struct folio_batch holds (31 since v6.9's FOLIO_BATCH_SIZE). The LRU-add batches,
// the flusher's write_cache_pages batches and filemap_read's lookups all use it.
#pragma once

namespace mtesim {

inline constexpr unsigned kFolioBatchSize = 15;

}  // namespace mtesim
