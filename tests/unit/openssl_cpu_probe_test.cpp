// The command's OpenSSL probes the CPU at OpenSSL's first use, not before main (#19,
// src/cli/openssl_cpu_probe.cpp): this test is linked the way the command is, with
// libcrypto's static archive and --wrap=OPENSSL_cpuid_setup.

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

// libcrypto's record of the CPU's capabilities (internal, x86-64): bit 10 of the first word
// is set once the probe has run.
extern "C" unsigned int OPENSSL_ia32cap_P[];

namespace {

constexpr unsigned int probed = 1u << 10;

TEST(OpenSslCpuProbe, RunsAtOpenSslsFirstUseNotBeforeMain) {
  EXPECT_EQ(OPENSSL_ia32cap_P[0] & probed, 0u) << "the probe ran before main, from libcrypto's .init";
  // A first use: SHA-256 of "abc" (FIPS 180-2's example), on the code paths the probe chose.
  const std::string text = "abc";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  ASSERT_EQ(EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr), 1);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i)
    hex += "0123456789abcdef"[digest[i] >> 4], hex += "0123456789abcdef"[digest[i] & 15];
  EXPECT_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(OPENSSL_ia32cap_P[0] & probed, 0u) << "OpenSSL was used without probing the CPU";
}

}  // namespace
