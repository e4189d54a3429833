"""Contains all the data models used in inputs/outputs"""

from .artifact import Artifact
from .artifact_error import ArtifactError
from .artifact_error_detail import ArtifactErrorDetail
from .artifact_list import ArtifactList
from .aspect_ratio import AspectRatio
from .camera_control import CameraControl
from .camera_control_config import CameraControlConfig
from .camera_control_type import CameraControlType
from .content_error import ContentError
from .content_error_detail import ContentErrorDetail
from .dynamic_mask import DynamicMask
from .gateway_error import GatewayError
from .gateway_error_detail import GatewayErrorDetail
from .image_to_video_request import ImageToVideoRequest
from .kling_image import KlingImage
from .kling_model_name import KlingModelName
from .kling_options import KlingOptions
from .kling_response import KlingResponse
from .kling_task import KlingTask
from .kling_task_info import KlingTaskInfo
from .kling_task_result import KlingTaskResult
from .kling_task_status import KlingTaskStatus
from .kling_video import KlingVideo
from .kling_watermark_info import KlingWatermarkInfo
from .native_error import NativeError
from .native_error_code import NativeErrorCode
from .native_task import NativeTask
from .native_task_response import NativeTaskResponse
from .submitted_task import SubmittedTask
from .task import Task
from .task_error import TaskError
from .task_properties import TaskProperties
from .task_response import TaskResponse
from .task_status import TaskStatus
from .task_summary import TaskSummary
from .text_to_video_request import TextToVideoRequest
from .trajectory_point import TrajectoryPoint
from .video import Video
from .video_duration import VideoDuration
from .video_error import VideoError
from .video_metadata import VideoMetadata
from .video_mode import VideoMode
from .video_remix_request import VideoRemixRequest
from .video_status import VideoStatus
from .video_submit_form import VideoSubmitForm
from .video_submit_request import VideoSubmitRequest

__all__ = (
    "Artifact",
    "ArtifactError",
    "ArtifactErrorDetail",
    "ArtifactList",
    "AspectRatio",
    "CameraControl",
    "CameraControlConfig",
    "CameraControlType",
    "ContentError",
    "ContentErrorDetail",
    "DynamicMask",
    "GatewayError",
    "GatewayErrorDetail",
    "ImageToVideoRequest",
    "KlingImage",
    "KlingModelName",
    "KlingOptions",
    "KlingResponse",
    "KlingTask",
    "KlingTaskInfo",
    "KlingTaskResult",
    "KlingTaskStatus",
    "KlingVideo",
    "KlingWatermarkInfo",
    "NativeError",
    "NativeErrorCode",
    "NativeTask",
    "NativeTaskResponse",
    "SubmittedTask",
    "Task",
    "TaskError",
    "TaskProperties",
    "TaskResponse",
    "TaskStatus",
    "TaskSummary",
    "TextToVideoRequest",
    "TrajectoryPoint",
    "Video",
    "VideoDuration",
    "VideoError",
    "VideoMetadata",
    "VideoMode",
    "VideoRemixRequest",
    "VideoStatus",
    "VideoSubmitForm",
    "VideoSubmitRequest",
)
