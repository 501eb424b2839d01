//! EC2 storage over the Query protocol: snapshots, volumes and the Recycle
//! Bin's images and snapshots, over the simulator's storage calls.

use amisim_simulator::{
    BinEntry, DeleteVolume, DescribeSnapshots, DescribeStoragePermissions, DescribeVolumes,
    ListRecycleBin, RestoreFromRecycleBin, Storage, Volume,
};

use super::filter::Filters;
use super::{Action, Paged};
use crate::fault::Fault;
use crate::xml::Xml;
use amisim_simulator::filters;

impl Action<'_> {
    pub(super) fn describe_snapshots(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let ids = p.list("SnapshotId")?;
        let restorable_by = p.list("RestorableBy")?;
        if let Some(other) = restorable_by
            .iter()
            .find(|r| *r != "self" && **r != self.caller.account_id)
        {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!("RestorableBy {other} is not the caller: amisim answers which snapshots the caller itself may read (RestorableBy self)"),
            ));
        }
        let request = DescribeSnapshots {
            snapshot_ids: ids.clone(),
            owners: p.list("Owner")?,
        };
        let filters = Filters::of(p, filters::SNAPSHOT_FILTERS, self.name)?;
        let page = Paged::of(p, (!ids.is_empty()).then_some("SnapshotIds"))?;
        self.ready()?;
        let snapshots: Vec<Storage> = self
            .call(&request)?
            .into_iter()
            .filter(|s| filters.pass(|name| filters::snapshot_values(s, name)))
            .collect();
        let (shown, next) = Paged::cut(&page, &snapshots)?;
        let x = &mut self.out.xml;
        x.open("snapshotSet");
        for s in shown {
            x.open("item");
            snapshot_fields(x, s);
            x.close("item");
        }
        x.close("snapshotSet");
        x.opt("nextToken", next.as_deref());
        Ok(())
    }

    pub(super) fn describe_snapshot_attribute(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let id = p.required("SnapshotId")?.to_string();
        let attribute = p.required("Attribute")?.to_string();
        if attribute != "createVolumePermission" && attribute != "productCodes" {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!("Value ({attribute}) for parameter attribute is invalid: amisim answers createVolumePermission and productCodes"),
            ));
        }
        self.ready()?;
        let permissions = self.call(&DescribeStoragePermissions {
            storage_id: id.clone(),
        })?;
        let x = &mut self.out.xml;
        x.text("snapshotId", &id);
        if attribute == "productCodes" {
            x.open("productCodes").close("productCodes");
        } else {
            x.open("createVolumePermission");
            for perm in permissions {
                x.open("item")
                    .text("userId", &perm.account_id)
                    .close("item");
            }
            x.close("createVolumePermission");
        }
        Ok(())
    }

    pub(super) fn describe_volumes(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let ids = p.list("VolumeId")?;
        let filters = Filters::of(p, filters::VOLUME_FILTERS, self.name)?;
        let page = Paged::within(p, (!ids.is_empty()).then_some("VolumeIds"), 5, 500)?;
        self.ready()?;
        let volumes: Vec<Volume> = self
            .call(&DescribeVolumes { volume_ids: ids })?
            .into_iter()
            .filter(|v| filters.pass(|name| filters::volume_values(v, name)))
            .collect();
        let (shown, next) = Paged::cut(&page, &volumes)?;
        let x = &mut self.out.xml;
        x.open("volumeSet");
        for v in shown {
            volume_item(x, v);
        }
        x.close("volumeSet");
        x.opt("nextToken", next.as_deref());
        Ok(())
    }

    pub(super) fn delete_volume(&mut self) -> Result<(), Fault> {
        let id = self.p.required("VolumeId")?.to_string();
        self.ready()?;
        self.call(&DeleteVolume::new(&id).refusing_absent())?;
        self.out.xml.bool("return", true);
        Ok(())
    }

    /// ListImagesInRecycleBin (`images`) or ListSnapshotsInRecycleBin.
    pub(super) fn list_recycle_bin(&mut self, images: bool) -> Result<(), Fault> {
        let p = self.p;
        let (list, kind) = if images {
            ("ImageId", "EC2_IMAGE")
        } else {
            ("SnapshotId", "EBS_SNAPSHOT")
        };
        let ids = p.list(list)?;
        let page = Paged::within(p, None, 1, 1000)?;
        self.ready()?;
        let entries: Vec<BinEntry> = self
            .call(&ListRecycleBin {
                resource_type: kind.to_string(),
            })?
            .into_iter()
            .filter(|e| ids.is_empty() || ids.contains(&e.id))
            .collect();
        let (shown, next) = Paged::cut(&page, &entries)?;
        let x = &mut self.out.xml;
        x.open(if images { "imageSet" } else { "snapshotSet" });
        for e in shown {
            x.open("item");
            if images {
                x.text("imageId", &e.id).text("name", &e.name);
            } else {
                x.text("snapshotId", &e.id)
                    .text("description", &format!("Created for {}", e.name));
            }
            x.text("recycleBinEnterTime", &e.entered)
                .text("recycleBinExitTime", &e.until)
                .close("item");
        }
        x.close(if images { "imageSet" } else { "snapshotSet" });
        x.opt("nextToken", next.as_deref());
        Ok(())
    }

    /// RestoreImageFromRecycleBin (`images`) or RestoreSnapshotFromRecycleBin.
    pub(super) fn restore_from_recycle_bin(&mut self, images: bool) -> Result<(), Fault> {
        let param = if images { "ImageId" } else { "SnapshotId" };
        let id = self.p.required(param)?.to_string();
        let prefix = if images { "ami-" } else { "snap-" };
        if !id.starts_with(prefix) {
            return Err(Fault::bad(
                if images {
                    "InvalidAMIID.Malformed"
                } else {
                    "InvalidSnapshotID.Malformed"
                },
                format!(
                    "Invalid id: \"{}\" (expecting \"{prefix}...\")",
                    id.chars().take(64).collect::<String>()
                ),
            ));
        }
        self.ready()?;
        self.call(&RestoreFromRecycleBin::new(&id))?;
        if images {
            self.out.xml.bool("return", true);
        } else {
            let restored = self.call(&DescribeSnapshots {
                snapshot_ids: vec![id],
                owners: Vec::new(),
            })?;
            if let Some(s) = restored.first() {
                snapshot_fields(&mut self.out.xml, s);
            }
        }
        Ok(())
    }
}

/// The members of botocore's `Snapshot` shape that amisim models.
fn snapshot_fields(x: &mut Xml, s: &Storage) {
    x.text("snapshotId", &s.id)
        .text("volumeId", "vol-ffffffff")
        .text("status", "completed")
        .text("startTime", &s.start_time)
        .text("progress", "100%")
        .text("ownerId", &s.owner_id)
        .text(
            "description",
            &format!("Created for {}", s.created_for_image),
        )
        .text("volumeSize", &s.size_gb.to_string())
        .bool("encrypted", s.encrypted);
    x.opt("kmsKeyId", s.kms_key_arn.as_deref());
    x.text("storageTier", "standard");
}

/// One volume of `volumeSet`, as botocore's `Volume` shape names its members.
fn volume_item(x: &mut Xml, v: &Volume) {
    x.open("item")
        .text("volumeId", &v.id)
        .text("size", &v.size_gb.to_string());
    x.opt("snapshotId", v.snapshot_id.as_deref());
    x.text("availabilityZone", &format!("{}a", v.region))
        .text(
            "status",
            if v.attached_to.is_some() {
                "in-use"
            } else {
                "available"
            },
        )
        .text("createTime", &v.create_time)
        .open("attachmentSet");
    if let Some(instance) = &v.attached_to {
        x.open("item")
            .text("volumeId", &v.id)
            .text("instanceId", instance)
            .text(
                "device",
                amisim_simulator::model::root_device(
                    &v.platform,
                    amisim_simulator::RootDevice::Ebs,
                ),
            )
            .text("status", "attached")
            .text("attachTime", &v.create_time)
            .bool("deleteOnTermination", v.delete_on_termination)
            .close("item");
    }
    x.close("attachmentSet")
        .text("volumeType", amisim_simulator::model::ROOT_VOLUME_TYPE)
        .text("iops", "3000")
        .text("throughput", "125")
        .bool("encrypted", v.kms_key_arn.is_some());
    x.opt("kmsKeyId", v.kms_key_arn.as_deref());
    x.bool("multiAttachEnabled", false).close("item");
}
