#include "codegen/aot_library.h"

#include <fmt/format.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "codegen/llvm_pipeline.h"
#include "runtime/model_plan.h"

extern char** environ;

namespace kiln::codegen {

namespace {
namespace fs = std::filesystem;

// The entry object: plan bytes, kernel table, and the exported functions,
// which forward to the runtime's C ABI (runtime/aot/kiln_rt.h).
class EntryModule {
 public:
  EntryModule(const ModelImage& image, const std::string& name)
      : module_("kiln_aot_entry", ctx_), b_(ctx_), ptr_(llvm::PointerType::get(ctx_, 0)), i32_(b_.getInt32Ty()),
        i64_(b_.getInt64Ty()) {
    std::string planBytes = runtime::encodePlan(image.plan);
    planSize_ = planBytes.size();
    auto* planInit = llvm::ConstantDataArray::getString(ctx_, planBytes, /*AddNull=*/false);
    plan_ = new llvm::GlobalVariable(module_, planInit->getType(), true, llvm::GlobalValue::PrivateLinkage, planInit,
                                     "kiln_aot_plan_bytes");
    plan_->setAlignment(llvm::Align(64));

    auto* kernelType = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, i64_, i64_}, false);
    std::vector<llvm::Constant*> kernels;
    for (const runtime::KernelLaunch& k : image.plan.parts.kernels)
      kernels.push_back(llvm::cast<llvm::Constant>(module_.getOrInsertFunction(k.name, kernelType).getCallee()));
    numKernels_ = kernels.size();
    auto* tableType = llvm::ArrayType::get(ptr_, kernels.size());
    table_ = new llvm::GlobalVariable(module_, tableType, true, llvm::GlobalValue::PrivateLinkage,
                                      llvm::ConstantArray::get(tableType, kernels), "kiln_aot_kernels");

    rtCreate_ = module_.getOrInsertFunction("kiln_rt_create", ptr_, ptr_, i64_, ptr_, i64_, i32_);
    rtRun_ = module_.getOrInsertFunction("kiln_rt_run", i32_, ptr_, ptr_, ptr_);
    rtDestroy_ = module_.getOrInsertFunction("kiln_rt_destroy", b_.getVoidTy(), ptr_);
    rtLastError_ = module_.getOrInsertFunction("kiln_rt_last_error", ptr_);

    for (const std::string& prefix : {std::string("kiln_aot"), name}) {
      defineCreate(prefix + "_create");
      defineDestroy(prefix + "_destroy");
      defineLastError(prefix + "_last_error");
    }
    defineGenericRun();
    defineTypedRun(name + "_run", image.plan.parts.inputs.size(), image.plan.parts.outputs.size());
    definePlanAccessor();
  }

  llvm::Module& module() { return module_; }

 private:
  llvm::Function* define(const std::string& name, llvm::Type* result, std::vector<llvm::Type*> params) {
    auto* f = llvm::Function::Create(llvm::FunctionType::get(result, params, false), llvm::GlobalValue::ExternalLinkage,
                                     name, module_);
    b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", f));
    return f;
  }
  void defineCreate(const std::string& name) {
    llvm::Function* f = define(name, ptr_, {i32_});
    b_.CreateRet(b_.CreateCall(rtCreate_, {plan_, b_.getInt64(planSize_), table_, b_.getInt64(numKernels_), f->getArg(0)}));
  }
  void defineDestroy(const std::string& name) {
    llvm::Function* f = define(name, b_.getVoidTy(), {ptr_});
    b_.CreateCall(rtDestroy_, {f->getArg(0)});
    b_.CreateRetVoid();
  }
  void defineLastError(const std::string& name) {
    define(name, ptr_, {});
    b_.CreateRet(b_.CreateCall(rtLastError_, {}));
  }
  void defineGenericRun() {
    llvm::Function* f = define("kiln_aot_run", i32_, {ptr_, ptr_, ptr_});
    b_.CreateRet(b_.CreateCall(rtRun_, {f->getArg(0), f->getArg(1), f->getArg(2)}));
  }
  // NAME_run(model, in0, ..., out0, ...): the pointers go into two stack arrays.
  void defineTypedRun(const std::string& name, size_t numInputs, size_t numOutputs) {
    std::vector<llvm::Type*> params(1 + numInputs + numOutputs, ptr_);
    llvm::Function* f = define(name, i32_, params);
    auto array = [&](size_t first, size_t count) -> llvm::Value* {
      auto* type = llvm::ArrayType::get(ptr_, std::max<size_t>(count, 1));
      llvm::Value* a = b_.CreateAlloca(type);
      for (size_t i = 0; i < count; ++i)
        b_.CreateStore(f->getArg(static_cast<unsigned>(first + i)), b_.CreateConstInBoundsGEP2_64(type, a, 0, i));
      return a;
    };
    llvm::Value* ins = array(1, numInputs);
    llvm::Value* outs = array(1 + numInputs, numOutputs);
    b_.CreateRet(b_.CreateCall(rtRun_, {f->getArg(0), ins, outs}));
  }
  void definePlanAccessor() {
    llvm::Function* f = define("kiln_aot_plan", ptr_, {ptr_});
    b_.CreateStore(b_.getInt64(planSize_), f->getArg(0));
    b_.CreateRet(plan_);
  }

  llvm::LLVMContext ctx_;
  llvm::Module module_;
  llvm::IRBuilder<> b_;
  llvm::PointerType* ptr_;
  llvm::IntegerType *i32_, *i64_;
  llvm::GlobalVariable *plan_, *table_;
  uint64_t planSize_ = 0, numKernels_ = 0;
  llvm::FunctionCallee rtCreate_, rtRun_, rtDestroy_, rtLastError_;
};

void writeFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail("cannot write '{}'", path.string());
}

// The runtime archive: $KILN_RT_AOT_ARCHIVE, else the one this build made.
std::string runtimeArchive() {
  const char* env = std::getenv("KILN_RT_AOT_ARCHIVE");
  std::string path = env && *env ? env : KILN_RT_AOT_ARCHIVE;
  if (!fs::exists(path))
    fail("Kiln's AOT runtime archive '{}' is missing (build the kiln_rt_aot target, or set KILN_RT_AOT_ARCHIVE)", path);
  return path;
}

void runLinker(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (int err = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ); err != 0)
    fail("cannot run the compiler driver '{}' to link the library: {} (set CXX)", args[0], std::strerror(err));
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) fail("cannot wait for the linker '{}'", args[0]);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;  // the kernel objects elided
    for (const std::string& a : args)
      if (!a.ends_with(".o") || a.ends_with("entry.o")) cmd += (cmd.empty() ? "" : " ") + a;
    fail("linking the library failed (status {}): {}", WIFEXITED(status) ? WEXITSTATUS(status) : -1, cmd);
  }
}

// A fresh private directory for the objects; removed when done.
struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kiln-aot-XXXXXX").string();
    if (!mkdtemp(pattern.data())) fail("cannot create a temporary directory in {}", fs::temp_directory_path().string());
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path path;
};
}  // namespace

void writeAotLibrary(const ModelImage& image, const Target& target, int optLevel, const AotOptions& options) {
  if (!std::regex_match(options.name, std::regex("[A-Za-z_][A-Za-z0-9_]*")))
    fail("library name '{}' is not a C identifier (its entry points are NAME_create, NAME_run, ...)", options.name);
  if (options.name.rfind("kiln_", 0) == 0) fail("library name '{}' may not start with kiln_", options.name);
  std::string header;
  if (!options.headerPath.empty()) header = aotHeader(image.plan, options);  // fails early on dtypes C lacks

  TempDir dir;
  const char* driver = std::getenv("CXX");
  std::vector<std::string> args = {driver && *driver ? driver : "c++", "-shared", "-o", options.libraryPath};
  for (size_t i = 0; i < image.objects.size(); ++i) {
    fs::path p = dir.path / fmt::format("k{}.o", i);
    writeFile(p, image.objects[i]);
    args.push_back(p.string());
  }
  EntryModule entry(image, options.name);
  fs::path entryObject = dir.path / "entry.o";
  writeFile(entryObject, emitObject(entry.module(), target, optLevel));
  fs::path exports = dir.path / "exports.map";
  writeFile(exports, fmt::format("{{ global: {}_*; kiln_aot_*; local: *; }};\n", options.name));
  args.insert(args.end(), {entryObject.string(), runtimeArchive(), "-static-libstdc++", "-static-libgcc",
                           "-Wl,--version-script=" + exports.string(), "-Wl,--no-undefined", "-Wl,-z,noexecstack",
                           "-lm", "-lpthread"});
  runLinker(args);
  if (!options.headerPath.empty()) writeFile(options.headerPath, header);
}

}  // namespace kiln::codegen
