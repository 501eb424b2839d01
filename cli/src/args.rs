//! The command line: every command, option and argument, with its help text.

use std::path::PathBuf;

use amisim_simulator::{catalogue, inventory};
use clap::{Args, Parser, Subcommand};

/// Look inside the simulated AMI cloud of the amisim Terraform provider, and change it out of band.
///
/// amisim reads and changes the same store as the provider: images, their
/// storage, KMS keys, permissions, instances, the event log and the bill of
/// every account and region. Changes made here (deregister, terminate, revoke)
/// are API calls acting as the object's owner: they are logged like any call
/// and show as drift in the next `terraform plan`.
#[derive(Debug, Parser)]
#[command(name = "amisim", version)]
pub struct Cli {
    /// The store: a file (or sqlite:PATH) or a postgres:// URL [default: $AMISIM_STORE if set and not empty, else .amisim/cloud.db].
    #[arg(long, global = true, value_name = "PATH", display_order = 100)]
    pub store: Option<PathBuf>,

    /// Print JSON instead of tables, for scripts.
    #[arg(long, global = true, display_order = 101)]
    pub json: bool,

    /// Work through the amisim serve at this URL instead of a store, signing with the key pair in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY [default: $AMISIM_ENDPOINT if set and not empty, else $AWS_ENDPOINT_URL when no store is named]. Every command works through a server (but serve, console and env, which are where the store is).
    #[arg(long, global = true, value_name = "URL", display_order = 102)]
    pub endpoint: Option<String>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The server to work through: `--endpoint`, else `AMISIM_ENDPOINT`
    /// (when set and not empty, and no `--store` is given), else
    /// `AWS_ENDPOINT_URL` (when no store is named at all, neither by
    /// `--store` nor by `AMISIM_STORE`: it is every AWS tool's setting, so a
    /// store named for amisim wins); an error when both a store and an
    /// endpoint are named on the command line.
    pub fn endpoint(&self) -> anyhow::Result<Option<String>> {
        if let (Some(store), Some(endpoint)) = (&self.store, &self.endpoint) {
            anyhow::bail!(
                "--store {} and --endpoint {endpoint} name two clouds: give one, the store to open or the server to work through",
                store.display()
            );
        }
        if self.store.is_some() {
            return Ok(None);
        }
        let set = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Ok(self
            .endpoint
            .clone()
            .or_else(|| set("AMISIM_ENDPOINT"))
            .or_else(|| match set("AMISIM_STORE") {
                Some(_) => None,
                None => set("AWS_ENDPOINT_URL"),
            }))
    }
}

/// Where the store is when `--store` is not given: `AMISIM_STORE`, else this path.
pub const DEFAULT_STORE: &str = ".amisim/cloud.db";

impl Cli {
    /// The store file: `--store`, else `AMISIM_STORE` (when set and not empty), else the default,
    /// just as the provider chooses it.
    pub fn store_path(&self) -> PathBuf {
        self.store.clone().unwrap_or_else(|| {
            std::env::var_os("AMISIM_STORE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_STORE))
        })
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List images, or show one image with its permissions and lineage.
    #[command(subcommand)]
    Images(ImagesCommand),
    /// List instances, or show one.
    #[command(subcommand)]
    Instances(InstancesCommand),
    /// List the storage behind images (EBS snapshots, instance-store bundles) and root volumes kept after termination.
    #[command(subcommand)]
    Snapshots(SnapshotsCommand),
    /// List the images stored as objects in S3 buckets (CreateStoreImageTask), or delete one.
    #[command(subcommand)]
    Buckets(BucketsCommand),
    /// List KMS keys and the accounts they are granted to.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// List launch permissions and storage read permissions.
    #[command(subcommand)]
    Permissions(PermissionsCommand),
    /// Show the event log: every API call with its caller, parameters and outcome.
    Events(EventsArgs),
    /// Show the monthly bill of each account, from the price book.
    Bill(Scope),
    /// Deregister an image out of band, as its owner.
    Deregister(DeregisterArgs),
    /// Delete a snapshot or bundle kept after its image was deregistered, as its owner.
    ///
    /// Storage still backing an available image is refused (InvalidSnapshot.InUse).
    DeleteSnapshot(StorageArg),
    /// Delete an EBS root volume kept after its instance terminated, as its owner.
    DeleteVolume(VolumeArg),
    /// Terminate an instance out of band, as its owner.
    Terminate(InstanceArg),
    /// Stop a running instance out of band, as its owner.
    Stop(InstanceArg),
    /// Start a stopped instance out of band, as its owner.
    Start(InstanceArg),
    /// Revoke a permission or a key grant out of band, as the owner.
    #[command(subcommand)]
    Revoke(RevokeCommand),
    /// Leave an image shared with an account, as that account (CancelImageLaunchPermission).
    ///
    /// Only a share made to the account itself can be left: a public image, or
    /// one shared with the account's organization or OU, is refused
    /// (InvalidPermission.NotFound). The owner sees the launch permission gone.
    Leave(LeaveArgs),
    /// Delete the store, so that the next use starts a fresh cloud.
    Reset(ResetArgs),
    /// Show or override the price book the bill uses.
    #[command(subcommand)]
    Prices(PricesCommand),
    /// Show the simulated clock, or move it forward.
    #[command(subcommand)]
    Clock(ClockCommand),
    /// List what waits in the Recycle Bin, or restore it.
    #[command(subcommand)]
    RecycleBin(RecycleBinCommand),
    /// Claim accounts of a shared cloud, so that their calls must present a secret; list and release claims.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// List the organizations and their organizational units, with the accounts each admitted.
    #[command(subcommand)]
    Organizations(OrganizationsCommand),
    /// Inject AWS's errors on purpose, the same way on every run, to test a pipeline's retries.
    ///
    /// A rule matches an action (or every action), optionally one account and
    /// one region, and refuses every Nth matching call with an AWS error. It
    /// acts on every face: the provider, `amisim` commands and the AWS API.
    /// The administrator's call: through a server, with its credential.
    #[command(subcommand)]
    Faults(FaultsCommand),
    /// Print the whole cloud as canonical, diff-friendly text (or JSON), or check it against a saved snapshot.
    ///
    /// Images, storage, permissions, keys and grants, instances, account
    /// settings, the bill and the event log, one line per object. The same
    /// commands on a new store print the same bytes.
    Snapshot(SnapshotArgs),
    /// Draw images, copies across regions and accounts, shares, key grants and instances, as Mermaid or Graphviz DOT.
    Graph(GraphArgs),
    /// Serve a read-only web console of the cloud, which redraws itself as the cloud changes.
    ///
    /// Pages: an overview of accounts and regions, images (the EC2 console's
    /// columns), each image with its storage, permissions, instances, lineage
    /// and events, instances, snapshots, keys and grants, the bill, and the
    /// event log. Nothing on it changes the cloud.
    Console(ConsoleArgs),
    /// Serve the cloud behind AWS's own API, for the AWS CLI, boto3 and the other SDKs.
    ///
    /// One endpoint for EC2 (the Query protocol: images, snapshots, volumes,
    /// instances, tags, Allowed AMIs, regions), STS GetCallerIdentity, KMS
    /// keys and grants, and Recycle Bin rules, with the read-only console
    /// under /console/. Requests are signed with AWS Signature Version 4;
    /// the access key ID names the account (its 12-digit ID, or a claimed
    /// account's key), the credential scope the region. `amisim env` prints
    /// the settings that point the AWS tools at it.
    Serve(ServeArgs),
    /// Print the shell exports that point the AWS CLI and the SDKs at `amisim serve`.
    Env(EnvArgs),
}

/// `amisim serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to serve on; 127.0.0.1 serves this machine only (port 0 picks a free port).
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:4566")]
    pub listen: String,
    /// How long a request waits for the store (behind the requests before it, then for another process's write) before it is answered 503 ServiceUnavailable with nothing applied.
    #[arg(long, value_name = "SECONDS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=25))]
    pub lock_wait: u64,
    /// The most requests answered together in one transaction of the store, each in a savepoint of its own and each answered once it is committed; 1 commits every request on its own.
    #[arg(long, value_name = "REQUESTS", default_value_t = amisim_server::MAX_GROUP, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub max_group: usize,
    /// Serve HTTPS with this PEM certificate (chain), so keys and calls cross the network encrypted; needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Fixture images to hold, as `amisim images load FILE` loads them: those
    /// the store does not hold yet are loaded when the server starts (moto's
    /// amis.json gives the IDs tests written for moto and LocalStack launch).
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
}

/// `amisim env`.
#[derive(Debug, Args)]
pub struct EnvArgs {
    /// The account to act as.
    #[arg(long, value_name = "ACCOUNT_ID", default_value = "123456789012")]
    pub account: String,
    /// The region to act in.
    #[arg(long, value_name = "REGION", default_value = "us-east-1")]
    pub region: String,
    /// Where `amisim serve` listens.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:4566")]
    pub endpoint: String,
    /// The PEM file of the certificate an https:// server presents, for the clients to trust (exported as AWS_CA_BUNDLE, as an absolute path).
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<PathBuf>,
}

/// `amisim console`.
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// The address and port to serve on; 127.0.0.1 serves this machine only (port 0 picks a free port).
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Another name the console may be reached by (a machine's DNS name);
    /// requests naming any other host are refused. Repeatable.
    #[arg(long, value_name = "NAME")]
    pub host: Vec<String>,
}

/// `amisim graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub scope: Scope,
    /// `mermaid` (renders in GitHub and GitLab Markdown) or `dot` (Graphviz).
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
}

/// What `amisim graph` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart.
    Mermaid,
    /// A Graphviz digraph.
    Dot,
}

/// `amisim snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub scope: Scope,
    /// Compare the cloud with a saved snapshot: exit 1 with a unified diff when it differs.
    #[arg(long, value_name = "FILE", conflicts_with = "update")]
    pub check: Option<PathBuf>,
    /// Save the snapshot to FILE instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub update: Option<PathBuf>,
    /// Which events of the log the snapshot holds: the changes and refusals
    /// (the default), every call including reads, or none.
    #[arg(long, value_enum, default_value_t = SnapshotEvents::Changes)]
    pub events: SnapshotEvents,
}

/// Which events `amisim snapshot` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SnapshotEvents {
    /// The calls that changed the cloud, and every refused call: what a
    /// plan or a refresh adds is left out, so the ways CI applies a
    /// configuration give the same snapshot.
    Changes,
    /// Every call, reads included, as `amisim events` lists them.
    All,
    /// No event log.
    None,
}

/// `amisim clock …`.
#[derive(Debug, Subcommand)]
pub enum ClockCommand {
    /// Show the simulated time now: the latest time the store has recorded.
    Show,
    /// Move simulated time forward, for example by 25h, 90m, 7d or 1h30m.
    ///
    /// The next command (a terraform apply, an amisim change) starts after the
    /// jump: a cooldown, a deprecation date or a retention period can pass. The
    /// bill's monthly lines do not change; each account accrues what the cloud
    /// as it stands costs over that time.
    Advance {
        /// How far: a number with a unit, d, h, m or s (several may follow each other).
        duration: String,
    },
}

/// `amisim images …`.
#[derive(Debug, Subcommand)]
pub enum ImagesCommand {
    /// List images, oldest first.
    ///
    /// The public catalogue (owned by amazon and aws-marketplace) and
    /// deregistered images are hidden unless --all is given (or --account
    /// names a catalogue owner).
    List(ImagesListArgs),
    /// Show every attribute of an image, its storage, permissions, instances and lineage.
    ///
    /// The lineage is a tree: the chain of sources up to the original image,
    /// and below the image every copy (in any region and account), every image
    /// created from an instance launched from it, and theirs in turn.
    Show(ImageArg),
    /// List what still uses an image: instances launched from it that are not terminated, and its registered copies.
    References(ImageArg),
    /// Turn deregistration protection on, as the owner (EnableImageDeregistrationProtection).
    Protect(ProtectArgs),
    /// Turn deregistration protection off, as the owner; protection enabled with cooldown stays in force 24 hours.
    Unprotect(ImageArg),
    /// Disable an image, as the owner: its launch permissions go and nobody can launch or copy it.
    Disable(ImageArg),
    /// Enable a disabled image again, as the owner (no launch permission comes back).
    Enable(ImageArg),
    /// Deprecate an image at a time (RFC 3339), or cancel its deprecation, as the owner.
    Deprecate(DeprecateArgs),
    /// Load fixture images: the AMI IDs tests and modules already name, from
    /// a JSON list in the field names of moto's amis.json (or the same gzipped).
    ///
    /// Each entry has ami_id, name and owner_id, and may have description,
    /// public, architecture, virtualization_type, root_device_type,
    /// root_device_name, platform, image_type, image_location, product_codes,
    /// sriov, state, hypervisor, creation_date, region_name (every region
    /// when absent) and block_device_mappings. A loaded image has a snapshot
    /// per EBS mapping, owned like the image, and follows every rule of an
    /// image of its owner. A file with a fault loads nothing and names the
    /// entry and field at fault. The administrator's call.
    Load(LoadArgs),
}

/// `amisim images load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The fixture file: moto's amis.json, or a file of your own.
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
}

/// `amisim images protect`.
#[derive(Debug, Args)]
pub struct ProtectArgs {
    #[command(flatten)]
    pub image: ImageArg,
    /// Keep protection in force for 24 hours after it is turned off (enabled-with-cooldown).
    #[arg(long)]
    pub cooldown: bool,
}

/// `amisim images deprecate`.
#[derive(Debug, Args)]
pub struct DeprecateArgs {
    #[command(flatten)]
    pub image: ImageArg,
    /// When, in RFC 3339 (2026-06-30T00:00:00Z); rounded down to the minute.
    #[arg(long, required_unless_present = "cancel", conflicts_with = "cancel")]
    pub at: Option<String>,
    /// Cancel the deprecation instead (DisableImageDeprecation).
    #[arg(long)]
    pub cancel: bool,
}

/// `amisim recycle-bin …`.
#[derive(Debug, Subcommand)]
pub enum RecycleBinCommand {
    /// List the images and snapshots waiting in the Recycle Bin, with the time each expires.
    List(Scope),
    /// Bring an image or snapshot back from the Recycle Bin with its ID, as its owner.
    Restore(RestoreArgs),
}

/// `amisim organizations …`.
#[derive(Debug, Subcommand)]
pub enum OrganizationsCommand {
    /// List the organizations (with --account, the one it belongs to), their
    /// management accounts and members, and their organizational units.
    List(Scope),
}

/// `amisim faults …`.
#[derive(Debug, Subcommand)]
pub enum FaultsCommand {
    /// Add a rule: `amisim faults add CopyImage --error RequestLimitExceeded --every 3`.
    Add(FaultAddArgs),
    /// List the rules, with how many calls each matched and refused.
    List,
    /// Remove one rule, or every rule.
    Clear {
        /// The rule (`fault-1`); every rule when left out.
        #[arg(value_name = "RULE")]
        id: Option<String>,
    },
}

/// `amisim faults add`.
#[derive(Debug, Args)]
pub struct FaultAddArgs {
    /// The action to fault, as the event log names it (CopyImage,
    /// DescribeImages, RunInstances, …), or `*` for every action.
    #[arg(value_name = "ACTION")]
    pub action: Option<String>,
    /// The action, as an option instead of the argument.
    #[arg(long = "action", value_name = "ACTION")]
    pub action_flag: Option<String>,
    /// Only the calls of this account.
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Option<String>,
    /// Only the calls made in this region.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// The AWS error to answer: RequestLimitExceeded (HTTP 503),
    /// InternalError (500), InsufficientInstanceCapacity (500, launches
    /// and starts only) or ServiceUnavailable (503).
    #[arg(
        long,
        value_name = "CODE",
        required_unless_present_any = ["unseen_for", "pending"],
        conflicts_with_all = ["unseen_for", "pending"]
    )]
    pub error: Option<String>,
    /// Instead of an error: what each matching call creates (an image and
    /// its snapshots, an instance) stays unseen by its owner's next N
    /// describe calls in its region, then appears (eventual consistency).
    #[arg(long, value_name = "N", conflicts_with = "pending")]
    pub unseen_for: Option<u64>,
    /// Instead of an error: each image a matching call makes stays pending
    /// for this much simulated time (`20m`, `1h`), then becomes available.
    #[arg(long, value_name = "DURATION")]
    pub pending: Option<String>,
    /// Refuse every Nth matching call (1: every one).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub every: u64,
    /// Refuse this many calls at most; no limit when left out.
    #[arg(long, value_name = "M")]
    pub times: Option<u64>,
}

/// `amisim accounts …`.
#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Claim an account: prints its new secret once (only a salted hash is kept).
    ///
    /// From then on every call acting as the account, from a provider block
    /// (`secret_key`) or an amisim command (`AMISIM_SECRET_KEY`), must present it.
    Claim(AccountArg),
    /// List the claimed accounts.
    List,
    /// Release a claim: with the account's secret in AMISIM_SECRET_KEY, or --force.
    Release(ReleaseArgs),
}

/// An account argument.
#[derive(Debug, Args)]
pub struct AccountArg {
    /// The 12-digit account ID.
    #[arg(value_name = "ACCOUNT")]
    pub account_id: String,
}

/// `amisim accounts release`.
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    #[command(flatten)]
    pub account: AccountArg,
    /// Release without the account's secret (whoever holds the store's own credentials can).
    #[arg(long)]
    pub force: bool,
}

/// `amisim recycle-bin restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The image (`ami-…`) or snapshot (`snap-…`) to restore.
    #[arg(value_name = "ID")]
    pub id: String,
}

/// `amisim images list`.
#[derive(Debug, Args)]
pub struct ImagesListArgs {
    #[command(flatten)]
    pub scope: Scope,
    /// Include the public catalogue and deregistered images.
    #[arg(long)]
    pub all: bool,
}

/// An image ID argument.
#[derive(Debug, Args)]
pub struct ImageArg {
    /// The image, `ami-` and 17 hex digits.
    #[arg(value_name = "AMI_ID")]
    pub image_id: String,
}

/// `amisim instances …`.
#[derive(Debug, Subcommand)]
pub enum InstancesCommand {
    /// List instances (terminated ones included), oldest first.
    List(Scope),
    /// Show every attribute of an instance.
    Show(InstanceArg),
}

/// An instance ID argument.
#[derive(Debug, Args)]
pub struct InstanceArg {
    /// The instance, `i-` and 17 hex digits.
    #[arg(value_name = "INSTANCE_ID")]
    pub instance_id: String,
}

/// `amisim snapshots …`.
#[derive(Debug, Subcommand)]
pub enum SnapshotsCommand {
    /// List snapshots and bundles with their size, image and who may read them.
    ///
    /// The public catalogue's storage is hidden unless --all is given (or
    /// --account names a catalogue owner).
    List(SnapshotsListArgs),
}

/// `amisim snapshots list`.
#[derive(Debug, Args)]
pub struct SnapshotsListArgs {
    #[command(flatten)]
    pub scope: Scope,
    /// Include the public catalogue's storage.
    #[arg(long)]
    pub all: bool,
}

/// `amisim buckets …`.
#[derive(Debug, Subcommand)]
pub enum BucketsCommand {
    /// List the objects images were stored as: bucket, key, image, size and monthly S3 cost.
    List(Scope),
    /// Delete a stored image's object out of band, as its bucket's owner: its S3 charge ends.
    Delete(ObjectArg),
}

/// A stored image's object.
#[derive(Debug, Args)]
pub struct ObjectArg {
    /// The bucket.
    #[arg(value_name = "BUCKET")]
    pub bucket: String,
    /// The object's key (`IMAGE-ID.bin`).
    #[arg(value_name = "KEY")]
    pub key: String,
}

/// `amisim keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List KMS keys (customer managed and AWS managed) with their grants.
    List(Scope),
}

/// `amisim permissions …`.
#[derive(Debug, Subcommand)]
pub enum PermissionsCommand {
    /// List launch permissions and storage read permissions, by owner.
    ///
    /// The public catalogue's own `group = all` permissions are hidden unless
    /// --all is given (or --account names a catalogue owner).
    List(PermissionsListArgs),
}

/// `amisim permissions list`.
#[derive(Debug, Args)]
pub struct PermissionsListArgs {
    #[command(flatten)]
    pub scope: Scope,
    /// Include the public catalogue's permissions.
    #[arg(long)]
    pub all: bool,
}

/// Which account and region a listing covers.
#[derive(Debug, Args)]
pub struct Scope {
    /// Only this account: 12 digits, or `amazon` / `aws-marketplace`.
    #[arg(long, value_parser = parse_account, value_name = "ACCOUNT")]
    pub account: Option<String>,
    /// Only this region, for example `us-east-1`.
    #[arg(long, value_parser = parse_region, value_name = "REGION")]
    pub region: Option<String>,
}

/// `amisim events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only calls made by this account.
    #[arg(long, value_parser = parse_account, value_name = "ACCOUNT")]
    pub account: Option<String>,
    /// Only calls made in this region.
    #[arg(long, value_parser = parse_region, value_name = "REGION")]
    pub region: Option<String>,
    /// Only this action, for example `CopyImage` (case does not matter).
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// Only this outcome: `ok`, `error` (any refusal) or an AWS error code such as `AuthFailure`.
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Option<String>,
    /// Follow the log: only the events whose calls committed after this
    /// commit number (0: from the start), in the order they committed, each
    /// numbered by its commit. Run it again with the last number printed to
    /// see what came since: every event shows exactly once.
    #[arg(long, value_name = "COMMIT")]
    pub after: Option<u64>,
}

/// `amisim delete-snapshot`.
#[derive(Debug, Args)]
pub struct StorageArg {
    /// The snapshot (snap-…) or bundle (bundle-…) ID.
    #[arg(value_name = "STORAGE_ID")]
    pub storage_id: String,
}

/// `amisim delete-volume`.
#[derive(Debug, Args)]
pub struct VolumeArg {
    /// The volume ID (vol-…), as `amisim snapshots list` shows it.
    #[arg(value_name = "VOLUME_ID")]
    pub volume_id: String,
}

/// Arguments of `amisim deregister`.
#[derive(Debug, Args)]
pub struct DeregisterArgs {
    /// The image to deregister.
    #[arg(value_name = "AMI_ID")]
    pub image_id: String,
    /// Also delete the image's snapshots or bundle (storage another image still uses is kept).
    #[arg(long)]
    pub delete_snapshots: bool,
}

/// Arguments of `amisim leave`.
#[derive(Debug, Args)]
pub struct LeaveArgs {
    /// The image shared with the account.
    #[arg(value_name = "AMI_ID")]
    pub image_id: String,
    /// The account that leaves the share.
    #[arg(value_name = "ACCOUNT", value_parser = parse_account)]
    pub account_id: String,
}

/// `amisim revoke …`.
#[derive(Debug, Subcommand)]
pub enum RevokeCommand {
    /// Remove a launch permission from an image.
    LaunchPermission {
        /// The image.
        #[arg(value_name = "AMI_ID")]
        image_id: String,
        /// Who loses it: an account ID, `all`, an organization ARN or an OU ARN.
        #[arg(value_name = "PRINCIPAL")]
        principal: String,
    },
    /// Remove an account's read permission on a snapshot or bundle.
    StoragePermission {
        /// The snapshot or bundle.
        #[arg(value_name = "STORAGE_ID")]
        storage_id: String,
        /// The account that loses it.
        #[arg(value_name = "ACCOUNT", value_parser = parse_account)]
        account_id: String,
    },
    /// Revoke an account's grant on a KMS key.
    Grant {
        /// The key, by ID or ARN.
        #[arg(value_name = "KEY_ID")]
        key_id: String,
        /// The grantee account.
        #[arg(value_name = "ACCOUNT", value_parser = parse_account)]
        account_id: String,
    },
}

/// `amisim reset`.
#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Delete without asking (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `amisim prices …`.
#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// Show the price book in force, and the instance type prices.
    ///
    /// With --json, prints the price book in the form `prices set` reads.
    Show,
    /// Override prices from a JSON file (`-` for stdin).
    ///
    /// The file holds any subset of the price book's fields, in
    /// micro-dollars; the others keep their defaults. `{}` restores every
    /// default. Creates the store if there is none yet.
    Set {
        /// The JSON file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// Accepts a 12-digit account ID, or an owner alias, which it turns into the
/// alias's account; `administrator` names the operator's calls in the log.
fn parse_account(text: &str) -> Result<String, String> {
    let account = inventory::resolve_account(text);
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
        || account == amisim_simulator::call::ADMINISTRATOR
    {
        Ok(account.to_string())
    } else {
        Err("an account is 12 digits (or amazon / aws-marketplace / administrator)".to_string())
    }
}

/// Accepts a region of the simulator's catalogue.
fn parse_region(text: &str) -> Result<String, String> {
    if catalogue::is_region(text) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "not an AWS region; use one of: {}",
            catalogue::REGIONS.join(", ")
        ))
    }
}
