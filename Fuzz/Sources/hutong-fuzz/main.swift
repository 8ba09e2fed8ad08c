import CLibFuzzer
import Foundation

// libFuzzer's driver with the target HUTONG_FUZZ_TARGET names (Targets.swift).
_ = target
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) })
