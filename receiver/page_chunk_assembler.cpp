#include "receiver/page_chunk_assembler.h"

namespace vmscope::dumpwire {

PageChunkAssembler::PageChunkAssembler(std::uint32_t page_size, Limits limits)
    : page_size_(page_size), limits_(limits) {}

void PageChunkAssembler::drop(std::unordered_map<std::uint64_t, Partial>::iterator it) {
  bytes_ -= it->second.bytes;
  ages_.erase(it->second.age);
  pages_.erase(it);
  ++dropped_;
}

std::optional<AssembledPage> PageChunkAssembler::add(const PageRecord& record) {
  auto it = pages_.find(record.pfn);
  if (it == pages_.end()) {
    while (!pages_.empty() && (pages_.size() >= limits_.max_pages ||
                               bytes_ + record.payload.size() > limits_.max_bytes)) {
      drop(pages_.find(ages_.front()));
    }
    ages_.push_back(record.pfn);
    Partial partial;
    partial.compression = record.compression;
    partial.chunks.resize(record.chunk_count);
    partial.age = std::prev(ages_.end());
    it = pages_.emplace(record.pfn, std::move(partial)).first;
  }
  Partial& p = it->second;
  if (p.chunks.size() != record.chunk_count || p.compression != record.compression ||
      record.chunk_index >= p.chunks.size()) {
    drop(it);
    return std::nullopt;
  }
  auto& slot = p.chunks[record.chunk_index];
  if (slot) {
    ++duplicate_chunks_;
    return std::nullopt;
  }
  if (p.bytes + record.payload.size() > page_size_) {
    drop(it);
    return std::nullopt;
  }
  slot.emplace(record.payload.begin(), record.payload.end());
  p.bytes += record.payload.size();
  bytes_ += record.payload.size();
  ++p.have;
  if (p.have < p.chunks.size()) return std::nullopt;

  AssembledPage page{record.pfn, p.compression, {}};
  page.stored.reserve(p.bytes);
  for (const auto& chunk : p.chunks)
    page.stored.insert(page.stored.end(), chunk->begin(), chunk->end());
  bytes_ -= p.bytes;
  ages_.erase(p.age);
  pages_.erase(it);
  return page;
}

std::vector<std::uint64_t> PageChunkAssembler::partial_pfns() const {
  return {ages_.begin(), ages_.end()};
}

}  // namespace vmscope::dumpwire
