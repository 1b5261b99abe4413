// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The few Foundry cheatcodes these tests use (forge-std is not vendored: no network here).
/// Signatures are forge's own (https://book.getfoundry.sh/cheatcodes); the address is forge's cheatcode account.
interface Vm {
    struct Gas {
        uint64 gasLimit;
        uint64 gasTotalUsed;
        uint64 gasMemoryUsed;
        int64 gasRefunded;
        uint64 gasRemaining;
    }

    function lastCallGas() external view returns (Gas memory gas);
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 newTimestamp) external;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert(bytes4 revertData) external;
    function expectRevert() external;
    function assume(bool condition) external pure;
    function etch(address target, bytes calldata code) external;
    function assertTrue(bool condition, string calldata error) external pure;
    function assertFalse(bool condition, string calldata error) external pure;
    function assertEq(uint256 left, uint256 right, string calldata error) external pure;
    function assertEq(address left, address right, string calldata error) external pure;
    function assertEq(bytes32 left, bytes32 right, string calldata error) external pure;
    function assertLe(uint256 left, uint256 right, string calldata error) external pure;
    function assertGe(uint256 left, uint256 right, string calldata error) external pure;
}

/// @notice One Groth16 proof in verifyProof's calldata layout (see test/fixtures/Proofs.sol).
struct Proof {
    uint256[2] a;
    uint256[2][2] b;
    uint256[2] c;
    uint256[6] pub;
}

/// @notice Shared constants and helpers; the addresses and hashes match verifier/foundry/fixtures.py.
abstract contract Base {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);
    uint256 internal constant POLICY_PORTFOLIO = 0x5EED01;
    uint256 internal constant POLICY_HISTORY = 0x5EED02;
    uint256 internal constant MARKET_1 = 0xAA01;
    uint256 internal constant MARKET_2 = 0xAA02;
    uint256 internal constant MARKET_H = 0xAA0F;
    uint256 internal constant SNAPSHOT_C = 333;
    uint256 internal constant SNAPSHOT_TIME = 5000;

    /// Deploy raw creation bytecode (the generated Poseidon(4) contract has no Solidity source).
    function deployCode(bytes memory code) internal returns (address addr) {
        assembly {
            addr := create(0, add(code, 0x20), mload(code))
        }
        require(addr != address(0), "create failed");
    }
}
