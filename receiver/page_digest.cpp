#include "receiver/page_digest.h"

#include <openssl/evp.h>

namespace vmscope {

PageDigest::PageDigest() : context_(EVP_MD_CTX_new()) {
  auto* ctx = static_cast<EVP_MD_CTX*>(context_);
  if (ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_blake2s256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    context_ = nullptr;
  }
}

PageDigest::~PageDigest() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_));
}

void PageDigest::add_page(std::uint64_t pfn, std::span<const std::byte> page) {
  auto* ctx = static_cast<EVP_MD_CTX*>(context_);
  if (ctx == nullptr) return;
  unsigned char le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<unsigned char>(pfn >> (8 * i));
  EVP_DigestUpdate(ctx, le, sizeof le);
  EVP_DigestUpdate(ctx, page.data(), page.size());
}

std::array<std::byte, 32> PageDigest::value() const {
  std::array<std::byte, 32> out{};
  auto* ctx = static_cast<EVP_MD_CTX*>(context_);
  if (ctx == nullptr) return out;
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  unsigned int length = 0;
  if (copy != nullptr && EVP_MD_CTX_copy_ex(copy, ctx) == 1) {
    EVP_DigestFinal_ex(copy, reinterpret_cast<unsigned char*>(out.data()), &length);
  }
  EVP_MD_CTX_free(copy);
  return out;
}

}  // namespace vmscope
