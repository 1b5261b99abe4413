// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The 6-input Groth16 verifier ABI (snarkjs's and zkyield's generated verifiers).
interface IGroth16Verifier6 {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[6] calldata pubSignals
    ) external view returns (bool);
}

/// @notice circomlib's Poseidon(4) as EVM bytecode: circomlibjs `poseidonContract.createCode(4)`.
interface IPoseidon4 {
    function poseidon(uint256[4] calldata input) external pure returns (uint256);
}

/// @title On-chain record of zkyield yield/risk proofs
/// @notice Public-input layout (docs/ARCHITECTURE.md):
/// [commitment, owner, policy_hash, market_hash, period_start, period_end].
/// An admin registers policies (hash -> verifier and statement family, immutable once set); an oracle
/// registers market snapshots with their period; the proof's owner submits it once the period is over.
/// Replays are keyed on the hash of the public inputs, since a Groth16 proof can be re-randomised.
/// History proofs (docs/history.md) use the same layout with slot 0 = a snapshot chain head: owners
/// commit snapshots here as they happen (`commitSnapshot` extends h = Poseidon(LINK_TAG, h, c, block time)
/// per owner, starting at h_0 = owner), and only `submitHistoryAttestation` accepts a history policy,
/// and only for heads the owner committed; only `submitAttestation` accepts a portfolio policy.
contract YieldAttestationRegistry {
    /// BN254 scalar field order r: snapshot commitments are field elements.
    uint256 internal constant FIELD_ORDER =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant IDX_COMMITMENT = 0;
    uint256 internal constant IDX_OWNER = 1;
    uint256 internal constant IDX_POLICY = 2;
    uint256 internal constant IDX_MARKET = 3;
    uint256 internal constant IDX_PERIOD_START = 4;
    uint256 internal constant IDX_PERIOD_END = 5;
    /// Statement families: a policy is registered for one, and each submission path accepts only its own.
    uint8 public constant FAMILY_PORTFOLIO = 1;
    uint8 public constant FAMILY_HISTORY = 2;
    /// ASCII "zkyield.history.link.v2" read big-endian: the first input of every chain link
    /// (zkyield.circuits.history_models.LINK_TAG, history layout 2).
    uint256 public constant LINK_TAG = 11725489395356136095329624724758844335914268501040068146;

    struct Policy {
        address verifier;
        uint8 family;
    }

    struct Market {
        uint64 periodStart;
        uint64 periodEnd;
        bool registered;
    }

    struct Attestation {
        uint256 commitment;
        uint256 policyHash;
        uint256 marketHash;
        address submitter;
        uint64 timestamp;
        uint64 periodStart;
        uint64 periodEnd;
        uint8 family;
    }

    /// @notice What a compliance tool reads: the stored attestation and its statement family. The policy's
    /// thresholds are not stored: the policy file a verifier holds hashes to `policyHash`.
    struct AttestationView {
        uint256 id;
        uint256 commitment;
        uint256 policyHash;
        uint256 marketHash;
        uint64 periodStart;
        uint64 periodEnd;
        address submitter;
        uint64 timestamp;
        uint8 family;
    }

    error NotAdmin(address caller);
    error NotOracle(address caller);
    error ZeroAddress(string field);
    error VerifierHasNoCode(address verifier);
    error PolicyAlreadyRegistered(uint256 policyHash);
    error InvalidFamily(uint8 family);
    error WrongFamily(uint256 policyHash, uint8 registered, uint8 entryPoint);
    error PeriodNotOver(uint256 periodEnd, uint256 blockTime);
    error MarketAlreadyRegistered(uint256 marketHash);
    error InvalidPeriod(uint256 periodStart, uint256 periodEnd);
    error OwnerNotAnAddress(uint256 owner);
    error SenderNotOwner(address sender, address owner);
    error UnknownPolicy(uint256 policyHash);
    error UnknownMarket(uint256 marketHash);
    error PeriodMismatch(uint256 marketStart, uint256 marketEnd, uint256 proofStart, uint256 proofEnd);
    error AlreadyAttested(bytes32 inputsHash);
    error InvalidProof();
    error NoAttestation(uint256 commitment);
    error UnknownAttestation(uint256 id);
    error SnapshotHasherAlreadySet(address hasher);
    error NoSnapshotHasher();
    error NotAFieldElement(uint256 value);
    error UnknownHead(uint256 head);
    error HeadNotOwned(uint256 head, address headOwner, address owner);
    error HeadCommittedBeforePeriodEnd(uint256 head, uint64 committedAt, uint256 periodEnd);
    error MarketDoesNotCoverPeriod(uint256 marketStart, uint256 marketEnd, uint256 proofStart, uint256 proofEnd);

    event AdminChanged(address indexed previousAdmin, address indexed newAdmin);
    event OracleChanged(address indexed previousOracle, address indexed newOracle);
    event PolicyRegistered(uint256 indexed policyHash, address indexed verifier, uint8 family);
    event MarketRegistered(uint256 indexed marketHash, uint64 periodStart, uint64 periodEnd);
    event Attested(
        uint256 indexed id,
        uint256 indexed commitment,
        uint256 indexed policyHash,
        uint256 marketHash,
        uint64 periodStart,
        uint64 periodEnd,
        address submitter,
        bytes32 inputsHash,
        uint8 family
    );

    event SnapshotHasherSet(address indexed hasher);
    event SnapshotCommitted(
        address indexed owner, uint256 indexed head, uint256 commitment, uint32 index, uint64 committedAt
    );

    /// @notice Where a committed head came from: its owner, the block time and its 1-based index (one slot).
    struct SnapshotHead {
        address owner;
        uint64 committedAt;
        uint32 index;
    }

    address public admin;
    address public oracle;

    mapping(uint256 => Policy) internal _policies;
    mapping(uint256 => Market) internal _markets;
    mapping(bytes32 => bool) public inputsUsed;
    Attestation[] internal _attestations;
    // 1-based ids into _attestations (0 = none).
    mapping(uint256 => uint256) internal _latest;
    mapping(uint256 => mapping(uint256 => uint256)) internal _latestForPolicy;
    IPoseidon4 public snapshotHasher;
    mapping(address => uint256) internal _snapshotHead; // 0 until the first commit
    mapping(uint256 => SnapshotHead) internal _heads;

    constructor(address oracle_) {
        if (oracle_ == address(0)) revert ZeroAddress("oracle");
        admin = msg.sender;
        oracle = oracle_;
        emit AdminChanged(address(0), msg.sender);
        emit OracleChanged(address(0), oracle_);
    }

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _;
    }

    function setAdmin(address newAdmin) external onlyAdmin {
        if (newAdmin == address(0)) revert ZeroAddress("admin");
        emit AdminChanged(admin, newAdmin);
        admin = newAdmin;
    }

    function setOracle(address newOracle) external onlyAdmin {
        if (newOracle == address(0)) revert ZeroAddress("oracle");
        emit OracleChanged(oracle, newOracle);
        oracle = newOracle;
    }

    /// @notice Bind a policy hash to its verifier and statement family (FAMILY_PORTFOLIO or FAMILY_HISTORY);
    /// a policy never changes once set. The family decides which submission path accepts its proofs.
    function registerPolicy(uint256 policyHash, address verifier, uint8 family) external onlyAdmin {
        if (verifier == address(0)) revert ZeroAddress("verifier");
        if (verifier.code.length == 0) revert VerifierHasNoCode(verifier);
        if (family != FAMILY_PORTFOLIO && family != FAMILY_HISTORY) revert InvalidFamily(family);
        if (_policies[policyHash].verifier != address(0)) revert PolicyAlreadyRegistered(policyHash);
        _policies[policyHash] = Policy(verifier, family);
        emit PolicyRegistered(policyHash, verifier, family);
    }

    function registerMarket(uint256 marketHash, uint64 periodStart, uint64 periodEnd) external {
        if (msg.sender != oracle) revert NotOracle(msg.sender);
        if (periodStart > periodEnd) revert InvalidPeriod(periodStart, periodEnd);
        if (_markets[marketHash].registered) revert MarketAlreadyRegistered(marketHash);
        _markets[marketHash] = Market(periodStart, periodEnd, true);
        emit MarketRegistered(marketHash, periodStart, periodEnd);
    }

    /// @notice Record a point-in-time (portfolio) proof. Only the `owner` in the public inputs may submit it
    /// (front-running guard), only under a portfolio policy, and only once its period is over.
    /// @return id The new attestation's id (1-based).
    function submitAttestation(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[6] calldata pubSignals
    ) external returns (uint256 id) {
        Market memory market = _checkSubmission(pubSignals, FAMILY_PORTFOLIO);
        if (market.periodStart != pubSignals[IDX_PERIOD_START] || market.periodEnd != pubSignals[IDX_PERIOD_END]) {
            revert PeriodMismatch(
                market.periodStart, market.periodEnd, pubSignals[IDX_PERIOD_START], pubSignals[IDX_PERIOD_END]
            );
        }
        return _verifyAndRecord(a, b, c, pubSignals, market.periodStart, market.periodEnd, FAMILY_PORTFOLIO);
    }

    /// @notice Record a history proof (only under a history policy): slot 0 is a snapshot chain head the owner
    /// committed here, no earlier than the window's end time; the market (risk-free rate) must cover the window.
    /// The circuit proves each snapshot of the window was committed within the policy's maximum delay.
    /// @return id The new attestation's id (1-based).
    function submitHistoryAttestation(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[6] calldata pubSignals
    ) external returns (uint256 id) {
        Market memory market = _checkSubmission(pubSignals, FAMILY_HISTORY);
        uint256 start = pubSignals[IDX_PERIOD_START];
        uint256 end = pubSignals[IDX_PERIOD_END];
        if (start < market.periodStart || end > market.periodEnd || start > end) {
            revert MarketDoesNotCoverPeriod(market.periodStart, market.periodEnd, start, end);
        }
        uint256 head = pubSignals[IDX_COMMITMENT];
        SnapshotHead memory h = _heads[head];
        if (h.owner == address(0)) revert UnknownHead(head);
        if (h.owner != msg.sender) revert HeadNotOwned(head, h.owner, msg.sender);
        if (h.committedAt < end) revert HeadCommittedBeforePeriodEnd(head, h.committedAt, end);
        return _verifyAndRecord(a, b, c, pubSignals, uint64(start), uint64(end), FAMILY_HISTORY);
    }

    /// @dev The owner, policy family, market and period checks both submission paths share.
    function _checkSubmission(uint256[6] calldata pubSignals, uint8 family)
        internal
        view
        returns (Market memory market)
    {
        uint256 owner = pubSignals[IDX_OWNER];
        if (owner >> 160 != 0) revert OwnerNotAnAddress(owner);
        if (msg.sender != address(uint160(owner))) revert SenderNotOwner(msg.sender, address(uint160(owner)));
        Policy memory p = _policies[pubSignals[IDX_POLICY]];
        if (p.verifier == address(0)) revert UnknownPolicy(pubSignals[IDX_POLICY]);
        if (p.family != family) revert WrongFamily(pubSignals[IDX_POLICY], p.family, family);
        market = _markets[pubSignals[IDX_MARKET]];
        if (!market.registered) revert UnknownMarket(pubSignals[IDX_MARKET]);
        // A statement about a period that has not ended is not a record of what happened. Both paths then
        // require the proof's period inside the market's, so this bounds the proof's period_end as well.
        if (market.periodEnd > block.timestamp) revert PeriodNotOver(market.periodEnd, block.timestamp);
    }

    /// @dev Replay guard, the policy's verifier, then the stored attestation and the "latest" indexes.
    function _verifyAndRecord(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[6] calldata pubSignals,
        uint64 periodStart,
        uint64 periodEnd,
        uint8 family
    ) internal returns (uint256 id) {
        bytes32 inputsHash = keccak256(abi.encode(pubSignals));
        if (inputsUsed[inputsHash]) revert AlreadyAttested(inputsHash);
        address verifier = _policies[pubSignals[IDX_POLICY]].verifier;
        if (!IGroth16Verifier6(verifier).verifyProof(a, b, c, pubSignals)) revert InvalidProof();
        inputsUsed[inputsHash] = true;

        uint256 commitment = pubSignals[IDX_COMMITMENT];
        _attestations.push(
            Attestation({
                commitment: commitment,
                policyHash: pubSignals[IDX_POLICY],
                marketHash: pubSignals[IDX_MARKET],
                submitter: msg.sender,
                timestamp: uint64(block.timestamp),
                periodStart: periodStart,
                periodEnd: periodEnd,
                family: family
            })
        );
        id = _attestations.length;
        _updateLatest(_latest, commitment, id, periodEnd);
        _updateLatest(_latestForPolicy[commitment], pubSignals[IDX_POLICY], id, periodEnd);
        emit Attested(
            id, commitment, pubSignals[IDX_POLICY], pubSignals[IDX_MARKET], periodStart, periodEnd, msg.sender,
            inputsHash, family
        );
    }

    // --- snapshot chains (history proofs) ------------------------------------------------------------

    /// @notice Admin, once: the Poseidon(4) contract that extends snapshot chains.
    function setSnapshotHasher(address hasher) external onlyAdmin {
        if (address(snapshotHasher) != address(0)) revert SnapshotHasherAlreadySet(address(snapshotHasher));
        if (hasher == address(0)) revert ZeroAddress("hasher");
        if (hasher.code.length == 0) revert VerifierHasNoCode(hasher);
        snapshotHasher = IPoseidon4(hasher);
        emit SnapshotHasherSet(hasher);
    }

    /// @notice Publish the commitment c = Poseidon(SNAPSHOT_TAG, owner, nav, positionsCommitment, timestamp,
    /// salt) of the sender's newest snapshot: the sender's head becomes Poseidon(LINK_TAG, head, c, block
    /// time), so the chain itself carries when each snapshot was published (history proofs bound the delay).
    /// @return head The new head.
    function commitSnapshot(uint256 commitment) external returns (uint256 head) {
        if (address(snapshotHasher) == address(0)) revert NoSnapshotHasher();
        if (commitment >= FIELD_ORDER) revert NotAFieldElement(commitment);
        head = snapshotHasher.poseidon([LINK_TAG, snapshotHead(msg.sender), commitment, block.timestamp]);
        uint32 index = snapshotCount(msg.sender) + 1;
        _snapshotHead[msg.sender] = head;
        _heads[head] = SnapshotHead(msg.sender, uint64(block.timestamp), index);
        emit SnapshotCommitted(msg.sender, head, commitment, index, uint64(block.timestamp));
    }

    /// @notice The owner's current head; before any snapshot the chain starts at h_0 = the owner's address.
    function snapshotHead(address owner) public view returns (uint256) {
        uint256 head = _snapshotHead[owner];
        return head == 0 ? uint256(uint160(owner)) : head;
    }

    /// @notice How many snapshots `owner` has committed.
    function snapshotCount(address owner) public view returns (uint32) {
        return _heads[_snapshotHead[owner]].index;
    }

    /// @notice Who committed `head`, when (block time) and as which snapshot (1-based); reverts if unknown.
    function snapshotHeadInfo(uint256 head) external view returns (SnapshotHead memory) {
        SnapshotHead memory h = _heads[head];
        if (h.owner == address(0)) revert UnknownHead(head);
        return h;
    }

    /// @dev "Latest" is the attestation with the newest period end (ties: the later submission), so an owner
    /// cannot hide a recent period behind a re-submitted older one.
    function _updateLatest(mapping(uint256 => uint256) storage latest, uint256 key, uint256 id, uint64 periodEnd)
        internal
    {
        uint256 current = latest[key];
        if (current == 0 || _attestations[current - 1].periodEnd <= periodEnd) latest[key] = id;
    }

    function policy(uint256 policyHash) external view returns (address verifier, uint8 family) {
        Policy memory p = _policies[policyHash];
        if (p.verifier == address(0)) revert UnknownPolicy(policyHash);
        return (p.verifier, p.family);
    }

    function market(uint256 marketHash) external view returns (uint64 periodStart, uint64 periodEnd) {
        Market memory m = _markets[marketHash];
        if (!m.registered) revert UnknownMarket(marketHash);
        return (m.periodStart, m.periodEnd);
    }

    function attestationCount() external view returns (uint256) {
        return _attestations.length;
    }

    function hasAttestation(uint256 commitment) external view returns (bool) {
        return _latest[commitment] != 0;
    }

    function attestation(uint256 id) public view returns (AttestationView memory) {
        if (id == 0 || id > _attestations.length) revert UnknownAttestation(id);
        Attestation storage s = _attestations[id - 1];
        return AttestationView({
            id: id,
            commitment: s.commitment,
            policyHash: s.policyHash,
            marketHash: s.marketHash,
            periodStart: s.periodStart,
            periodEnd: s.periodEnd,
            submitter: s.submitter,
            timestamp: s.timestamp,
            family: s.family
        });
    }

    function latestAttestation(uint256 commitment) external view returns (AttestationView memory) {
        uint256 id = _latest[commitment];
        if (id == 0) revert NoAttestation(commitment);
        return attestation(id);
    }

    function latestAttestationForPolicy(uint256 commitment, uint256 policyHash)
        external
        view
        returns (AttestationView memory)
    {
        uint256 id = _latestForPolicy[commitment][policyHash];
        if (id == 0) revert NoAttestation(commitment);
        return attestation(id);
    }

    // --- attestor keys (docs/attestation.md) ------------------------------------------------------------

    /// BabyJubJub (circomlib) over BN254's scalar field: a x^2 + y^2 = 1 + d x^2 y^2.
    uint256 internal constant BABYJUB_A = 168700;
    uint256 internal constant BABYJUB_D = 168696;

    /// @notice An attestor's EdDSA-Poseidon public key as registered: who registered it, from when it
    /// vouches (block time of registration) and when it was revoked (0 while it is not).
    struct AttestorKey {
        address owner;
        uint64 validFrom;
        uint64 revokedAt;
    }

    error AttestorKeyNotAFieldElement(uint256 x, uint256 y);
    error AttestorKeyNotOnCurve(uint256 x, uint256 y);
    error AttestorKeyIsIdentity();
    error AttestorKeyAlreadyRegistered(bytes32 keyHash);
    error UnknownAttestorKey(bytes32 keyHash);
    error NotAttestorKeyOwner(bytes32 keyHash, address owner, address caller);
    error AttestorKeyAlreadyRevoked(bytes32 keyHash, uint64 revokedAt);

    event AttestorKeyRegistered(bytes32 indexed keyHash, address indexed owner, uint256 x, uint256 y, uint64 validFrom);
    event AttestorKeyRevoked(bytes32 indexed keyHash, address indexed owner, uint64 revokedAt);

    mapping(bytes32 => AttestorKey) internal _attestorKeys;

    /// @notice keccak256(abi.encode(x, y)): how the registry names an attestor key.
    function attestorKeyHash(uint256 x, uint256 y) public pure returns (bytes32) {
        return keccak256(abi.encode(x, y));
    }

    /// @notice Register the sender's attestor key (x, y), valid from this block's time. A key is registered
    /// once, ever: after a revocation it cannot come back (rotate by registering a new key). The curve check
    /// is here; the subgroup check (a scalar multiplication) is left to clients (zkyield.babyjub.check_point).
    function registerAttestorKey(uint256 x, uint256 y) external returns (bytes32 keyHash) {
        if (x >= FIELD_ORDER || y >= FIELD_ORDER) revert AttestorKeyNotAFieldElement(x, y);
        if (x == 0 && y == 1) revert AttestorKeyIsIdentity();
        uint256 xx = mulmod(x, x, FIELD_ORDER);
        uint256 yy = mulmod(y, y, FIELD_ORDER);
        uint256 lhs = addmod(mulmod(BABYJUB_A, xx, FIELD_ORDER), yy, FIELD_ORDER);
        uint256 rhs = addmod(1, mulmod(BABYJUB_D, mulmod(xx, yy, FIELD_ORDER), FIELD_ORDER), FIELD_ORDER);
        if (lhs != rhs) revert AttestorKeyNotOnCurve(x, y);
        keyHash = attestorKeyHash(x, y);
        if (_attestorKeys[keyHash].owner != address(0)) revert AttestorKeyAlreadyRegistered(keyHash);
        _attestorKeys[keyHash] = AttestorKey(msg.sender, uint64(block.timestamp), 0);
        emit AttestorKeyRegistered(keyHash, msg.sender, x, y, uint64(block.timestamp));
    }

    /// @notice The key's owner ends its validity at this block's time; final.
    function revokeAttestorKey(bytes32 keyHash) external {
        AttestorKey storage k = _attestorKeys[keyHash];
        if (k.owner == address(0)) revert UnknownAttestorKey(keyHash);
        if (k.owner != msg.sender) revert NotAttestorKeyOwner(keyHash, k.owner, msg.sender);
        if (k.revokedAt != 0) revert AttestorKeyAlreadyRevoked(keyHash, k.revokedAt);
        k.revokedAt = uint64(block.timestamp);
        emit AttestorKeyRevoked(keyHash, msg.sender, uint64(block.timestamp));
    }

    /// @notice (owner, validFrom, revokedAt); owner 0 when the key was never registered. A key vouches at
    /// time t when validFrom <= t and (revokedAt == 0 or t < revokedAt).
    function attestorKey(bytes32 keyHash) external view returns (address owner, uint64 validFrom, uint64 revokedAt) {
        AttestorKey memory k = _attestorKeys[keyHash];
        return (k.owner, k.validFrom, k.revokedAt);
    }
}
