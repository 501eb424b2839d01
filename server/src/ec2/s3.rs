//! EC2's actions that store an image in an S3 bucket and restore it:
//! CreateStoreImageTask, DescribeStoreImageTasks and CreateRestoreImageTask,
//! over the simulator's calls (the bucket is simulated; no S3 API is served).

use amisim_simulator::{DescribeStoreImageTasks, RestoreImage, StoreImage, StoredImage};

use super::filter::Filters;
use super::{Action, Paged};
use crate::fault::Fault;

impl Action<'_> {
    /// CreateStoreImageTask: answers the object's key.
    pub(super) fn create_store_image_task(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let request = StoreImage {
            image_id: p.required("ImageId")?.to_string(),
            bucket: p.required("Bucket")?.to_string(),
            object_tags: p.tags("S3ObjectTag")?,
        };
        self.ready()?;
        let stored = self.call(&request)?;
        self.out.xml.text("objectKey", &stored.object_key);
        Ok(())
    }

    /// DescribeStoreImageTasks: the caller's store tasks, newest first.
    pub(super) fn describe_store_image_tasks(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let image_ids = p.list("ImageId")?;
        let filters = Filters::of(p, &["task-state", "bucket"], self.name)?;
        let page = Paged::within(p, (!image_ids.is_empty()).then_some("ImageIds"), 1, 200)?;
        self.ready()?;
        let tasks: Vec<StoredImage> = self
            .call(&DescribeStoreImageTasks { image_ids })?
            .into_iter()
            .filter(|t| {
                filters.pass(|name| match name {
                    "bucket" => vec![t.bucket.clone()],
                    _ => vec!["Completed".to_string()],
                })
            })
            .collect();
        let (shown, next) = Paged::cut(&page, &tasks)?;
        let x = &mut self.out.xml;
        x.open("storeImageTaskResultSet");
        for t in shown {
            x.open("item")
                .text("amiId", &t.image_id)
                .text("taskStartTime", &t.task_start_time)
                .text("bucket", &t.bucket)
                .text("s3objectKey", &t.object_key)
                .text("progressPercentage", "100")
                .text("storeTaskState", "Completed")
                .close("item");
        }
        x.close("storeImageTaskResultSet");
        x.opt("nextToken", next.as_deref());
        Ok(())
    }

    /// CreateRestoreImageTask: answers the new image's ID.
    pub(super) fn create_restore_image_task(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let request = RestoreImage {
            bucket: p.required("Bucket")?.to_string(),
            object_key: p.required("ObjectKey")?.to_string(),
            name: p.get("Name").map(str::to_string),
            tags: super::image_tags(p)?,
        };
        self.ready()?;
        let image = self.call(&request)?;
        self.out.xml.text("imageId", &image.id);
        Ok(())
    }
}
