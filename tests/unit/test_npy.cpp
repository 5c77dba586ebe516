// .npy reading and writing: round trips, files written by NumPy, and
// malformed files that must be kiln::Errors naming the file.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "ir/error.h"
#include "runtime/npy.h"

namespace fs = std::filesystem;
using kiln::DType;
using kiln::runtime::Tensor;

namespace {

class NpyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kiln_npy_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void writeBytes(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  // A version 1.0 file with the given header text (padded) followed by `data`.
  std::string npyBytes(const std::string& dict, const std::string& data, int major = 1) const {
    std::string header = dict + std::string((64 - (dict.size() + 11) % 64) % 64, ' ') + "\n";
    std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
    size_t lenBytes = major == 1 ? 2 : 4;
    for (size_t i = 0; i < lenBytes; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
    return out + header + data;
  }
  void expectError(const std::string& name, const std::string& fragment) const {
    try {
      kiln::runtime::readNpy(path(name));
      ADD_FAILURE() << name << ": expected kiln::Error containing '" << fragment << "'";
    } catch (const kiln::Error& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find(path(name)), std::string::npos) << msg;
      EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    }
  }

  fs::path dir_;
};

// Fills a tensor's bytes with a deterministic pseudo-random pattern; bool
// tensors get 0/1 only.
void fillPattern(Tensor& t, unsigned seed) {
  std::mt19937 rng(seed);
  auto* p = static_cast<uint8_t*>(t.data());
  for (size_t i = 0; i < t.byteSize(); ++i)
    p[i] = static_cast<uint8_t>(t.dtype() == DType::Bool ? rng() & 1 : rng());
}

std::string python() {
  return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "";
}

}  // namespace

TEST_F(NpyTest, RoundTripsEveryDtype) {
  const DType dtypes[] = {DType::F32, DType::F64, DType::F16, DType::I8,  DType::I16, DType::I32,
                          DType::I64, DType::U8,  DType::U16, DType::U32, DType::U64, DType::Bool};
  unsigned seed = 1;
  for (DType dt : dtypes) {
    for (const std::vector<int64_t>& shape :
         std::vector<std::vector<int64_t>>{{2, 3, 5}, {7}, {}, {4, 0, 2}}) {
      Tensor t(dt, shape);
      fillPattern(t, seed++);
      std::string file = path("t.npy");
      kiln::runtime::writeNpy(file, t);
      EXPECT_EQ(fs::file_size(file) % 64, t.byteSize() % 64) << "header is padded to 64 bytes";
      Tensor back = kiln::runtime::readNpy(file);
      ASSERT_EQ(back.dtype(), dt);
      ASSERT_EQ(back.shape(), shape);
      ASSERT_EQ(back.byteSize(), t.byteSize());
      EXPECT_EQ(std::memcmp(back.data(), t.data(), t.byteSize()), 0) << kiln::dtypeName(dt);
    }
  }
}

TEST_F(NpyTest, RejectsTypesNumpyCannotSpell) {
  Tensor t(DType::BF16, {2});
  EXPECT_THROW(kiln::runtime::writeNpy(path("bf16.npy"), t), kiln::Error);
}

TEST_F(NpyTest, ReadsHeaderVariants) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  std::string raw(reinterpret_cast<const char*>(data), sizeof data);
  // Double quotes, key order, no trailing comma, Python 2 longs, version 2.0 and 3.0.
  writeBytes("a.npy", npyBytes("{\"shape\": (2, 3), \"fortran_order\": False, \"descr\": \"<f4\"}", raw));
  writeBytes("b.npy", npyBytes("{'descr':'<f4','fortran_order':False,'shape':(2L,3L),}", raw));
  writeBytes("c.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", raw, 2));
  writeBytes("d.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", raw, 3));
  for (const char* name : {"a.npy", "b.npy", "c.npy", "d.npy"}) {
    Tensor t = kiln::runtime::readNpy(path(name));
    EXPECT_EQ(t.dtype(), DType::F32) << name;
    EXPECT_EQ(t.numElements(), 6) << name;
    EXPECT_EQ(std::memcmp(t.data(), data, sizeof data), 0) << name;
  }
  writeBytes("i8.npy", npyBytes("{'descr': '<i1', 'fortran_order': False, 'shape': (2,), }", "\x01\xff"));
  Tensor i8 = kiln::runtime::readNpy(path("i8.npy"));
  EXPECT_EQ(i8.dtype(), DType::I8);
  EXPECT_EQ(i8.data<int8_t>()[1], -1);
}

TEST_F(NpyTest, RejectsMalformedFiles) {
  std::string four(4, '\0');
  writeBytes("empty.npy", "");
  expectError("empty.npy", "not an npy file");
  writeBytes("magic.npy", "\x93NUMPX\x01\x00\x10\x00{}");
  expectError("magic.npy", "not an npy file");
  writeBytes("version.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", four, 4));
  expectError("version.npy", "version");
  writeBytes("fortran.npy", npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", four));
  expectError("fortran.npy", "Fortran");
  writeBytes("descr.npy", npyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", four));
  expectError("descr.npy", "unsupported npy dtype");
  writeBytes("bigend.npy", npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", four));
  expectError("bigend.npy", "big-endian");
  writeBytes("struct.npy", npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", four));
  expectError("struct.npy", "structured");
  writeBytes("negdim.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", four));
  expectError("negdim.npy", "malformed npy header");
  writeBytes("notint.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,), }", four));
  expectError("notint.npy", "malformed npy header");
  writeBytes("notuple.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1), }", four));
  expectError("notuple.npy", "not a tuple");
  writeBytes("hugedim.npy",
             npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", four));
  expectError("hugedim.npy", "out of range");
  writeBytes("overflow.npy",
             npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", four));
  expectError("overflow.npy", "too large");
  writeBytes("short.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", four));
  expectError("short.npy", "needs 8");
  writeBytes("long.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", four + four));
  expectError("long.npy", "needs 4");
  writeBytes("missing.npy", npyBytes("{'descr': '<f4', 'shape': (1,), }", four));
  expectError("missing.npy", "missing");
  writeBytes("dupkey.npy", npyBytes("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", four));
  expectError("dupkey.npy", "duplicate");
  writeBytes("unknownkey.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", four));
  expectError("unknownkey.npy", "unexpected key");
  writeBytes("unterminated.npy", npyBytes("{'descr': '<f4", four));
  expectError("unterminated.npy", "malformed npy header");
  // Header length pointing past the end of the file.
  writeBytes("hlen.npy", std::string("\x93NUMPY\x01\x00\xff\x7f{}", 12));
  expectError("hlen.npy", "past the end");
  // Every truncation of a valid file must fail cleanly.
  Tensor t(DType::I32, {3, 4});
  kiln::runtime::writeNpy(path("ok.npy"), t);
  std::ifstream in(path("ok.npy"), std::ios::binary);
  std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t n = 0; n < whole.size(); ++n) {
    writeBytes("trunc.npy", whole.substr(0, n));
    EXPECT_THROW(kiln::runtime::readNpy(path("trunc.npy")), kiln::Error) << "length " << n;
  }
  EXPECT_THROW(kiln::runtime::readNpy(path("does_not_exist.npy")), kiln::Error);
}

// Cross-checks against NumPy itself when the system Python has it.
TEST_F(NpyTest, InteroperatesWithNumpy) {
  std::string py = python();
  if (py.empty() || std::system((py + " -c 'import numpy' 2>/dev/null").c_str()) != 0)
    GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  std::string fromNumpy = path("from_numpy.npy"), fromKiln = path("from_kiln.npy");
  std::string script = "import numpy as np; np.save('" + fromNumpy +
                       "', np.arange(24, dtype=np.int16).reshape(2, 3, 4) * 3 - 7)";
  ASSERT_EQ(std::system((py + " -c \"" + script + "\"").c_str()), 0);
  Tensor t = kiln::runtime::readNpy(fromNumpy);
  ASSERT_EQ(t.dtype(), DType::I16);
  ASSERT_EQ(t.shape(), (std::vector<int64_t>{2, 3, 4}));
  for (int i = 0; i < 24; ++i) EXPECT_EQ(t.data<int16_t>()[i], i * 3 - 7);

  Tensor f(DType::F64, {5});
  for (int i = 0; i < 5; ++i) f.data<double>()[i] = 0.5 * i - 1;
  kiln::runtime::writeNpy(fromKiln, f);
  std::string check = "import numpy as np; a = np.load('" + fromKiln +
                      "'); assert a.dtype == np.float64 and a.shape == (5,); "
                      "assert (a == np.arange(5) * 0.5 - 1).all()";
  EXPECT_EQ(std::system((py + " -c \"" + check + "\"").c_str()), 0);
}
